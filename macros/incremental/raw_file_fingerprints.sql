{#- Per-file fingerprint parts of a raw table (base_members_yearly_files, docs/incremental.md).
    A year's fingerprint (year_increment.sql) is made of the row count and hash sum of its rows,
    and both add up across files: so they are kept per file and per year, for the file's
    content, and a night re-reads only the files whose content changed (at national scale,
    hashing the 15 members_yearly files' bytes takes 0.7 s, fingerprinting every row 5 s).
    Engines without file functions read the table as one pseudo-file with no content hash,
    fingerprinted again every run. -#}

{#- The files of raw table `table_name` as a query: `file_name` (relative to the table's
    folder), `file_bytes`, `file_modified` (as a string) and, with `content`, `content_hash`
    (a hash of the file's bytes, as a string; null = unknown); without it, no byte is read.
    Engine-specific, hence dispatched. -#}
{% macro raw_file_hashes_sql(table_name, content=true) -%}
    {{ return(adapter.dispatch('raw_file_hashes_sql', 'elp_warehouse')(table_name, content)) }}
{%- endmacro %}

{#- Spark: the whole table as one file of unknown size and content. -#}
{% macro default__raw_file_hashes_sql(table_name, content=true) -%}
    {%- set string = dbt.type_string() -%}
    select
        '*' as file_name,
        cast(null as {{ dbt.type_bigint() }}) as file_bytes,
        cast(null as {{ string }}) as file_modified
        {%- if content %},
        cast(null as {{ string }}) as content_hash
        {%- endif %}
{%- endmacro %}

{% macro duckdb__raw_file_hashes_sql(table_name, content=true) -%}
    {%- set folder = elp_warehouse.raw_table_folder(table_name) -%}
    {%- set prefix_length = (folder.rstrip('/') ~ '/') | length -%}
    select
        substr(filename, {{ prefix_length + 1 }}) as file_name,
        cast(size as bigint) as file_bytes,
        cast(last_modified as varchar) as file_modified
        {%- if content %},
        cast(hash(content) as varchar) as content_hash
        {%- endif %}
    from read_blob('{{ (folder ~ '/**/*.parquet') | replace("'", "''") }}')
{%- endmacro %}

{#- Stops the run when the files of raw table `table_name` (names, sizes, modification times:
    no byte is read) are not the ones `files` (base_members_yearly_files) was built from: a
    model that decides from `files` what to read must not run on a stale one, which happens
    when it is selected without it after the extract changed. Engines without file functions
    list one pseudo-file of unknown size, which always matches. -#}
{% macro require_current_raw_files(table_name, files) %}
    {#- no table yet (compiling without a warehouse): the model cannot run without it anyway -#}
    {%- if not execute or load_relation(files) is none -%}{{ return(none) }}{%- endif -%}
    {%- set differing = elp_warehouse.scalar_query(
        'select count(*) from (' ~ elp_warehouse.raw_file_hashes_sql(table_name, content=false)
        ~ ') as listed full outer join (select distinct file_name, file_bytes, file_modified from '
        ~ files ~ ') as known on listed.file_name = known.file_name'
        ~ ' where listed.file_name is null or known.file_name is null'
        ~ ' or listed.file_bytes is distinct from known.file_bytes'
        ~ ' or listed.file_modified is distinct from known.file_modified') -%}
    {%- if differing != 0 -%}
        {{ exceptions.raise_compiler_error(
            this.identifier ~ ": " ~ differing ~ " raw " ~ table_name ~ " file(s) are new, gone or"
            ~ " changed since " ~ files.identifier ~ " was built, which this model reads to decide"
            ~ " what to rebuild. Build that model first: dbt build --select "
            ~ files.identifier ~ "+") }}
    {%- endif -%}
{% endmacro %}

{#- The rows of raw table `table_name` in the files `file_names` (from raw_file_hashes_sql), with
    their `file_name`. Engine-specific, hence dispatched. -#}
{% macro raw_rows_of_files(table_name, file_names) -%}
    {{ return(adapter.dispatch('raw_rows_of_files', 'elp_warehouse')(table_name, file_names)) }}
{%- endmacro %}

{% macro default__raw_rows_of_files(table_name, file_names) -%}
    select *, '*' as file_name from {{ source('raw', table_name) }}
{%- endmacro %}

{#- The files are named as constants, so that only they are opened; the options are the raw
    source's (models/staging/_staging__sources.yml). -#}
{% macro duckdb__raw_rows_of_files(table_name, file_names) -%}
    {%- set folder = elp_warehouse.raw_table_folder(table_name).rstrip('/') ~ '/' -%}
    {%- set paths = [] -%}
    {%- for file_name in file_names -%}
        {%- do paths.append("'" ~ (folder ~ file_name) | replace("'", "''") ~ "'") -%}
    {%- endfor -%}
select
    *,
    substr(filename, {{ (folder | length) + 1 }}) as file_name
from read_parquet(
    [{{ paths | join(', ') }}], filename = true, union_by_name = true, hive_partitioning = false
)
{%- endmacro %}

{#- The current files of raw table `table_name` (a list of dicts: file_name, file_bytes,
    file_modified, content_hash) and, of them, the ones the model's table does not hold for
    that content (`to_read`), read at execution; every file on a first build or --full-refresh,
    none while parsing. An empty folder lists no file: the raw preflight refuses it first. -#}
{% macro raw_files_plan(table_name) %}
    {%- if not execute -%}
        {{ return({'current': [], 'to_read': []}) }}
    {%- endif -%}
    {%- set current = [] -%}
    {%- for row in run_query(elp_warehouse.raw_file_hashes_sql(table_name) ~ ' order by 1').rows -%}
        {%- do current.append({'file_name': row['file_name'], 'file_bytes': row['file_bytes'],
            'file_modified': row['file_modified'], 'content_hash': row['content_hash']}) -%}
    {%- endfor -%}
    {%- set known = [] -%}
    {%- if is_incremental() -%}
        {%- do elp_warehouse.require_incremental_columns(['content_hash', 'loaded_at']) -%}
        {%- for row in run_query('select distinct file_name, content_hash from ' ~ this
            ~ ' where content_hash is not null').rows -%}
            {%- do known.append(row[0] ~ '\n' ~ row[1]) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set to_read = [] -%}
    {%- for file in current
        if file.content_hash is none or (file.file_name ~ '\n' ~ file.content_hash) not in known -%}
        {%- do to_read.append(file) -%}
    {%- endfor -%}
    {{ return({'current': current, 'to_read': to_read}) }}
{% endmacro %}

{#- `files` (dicts from raw_files_plan) as a query with their four columns; while parsing (no
    file listed), one empty name. -#}
{% macro raw_files_values(files) -%}
    {%- set string = dbt.type_string() -%}
    {%- set files = files or [
        {'file_name': '', 'file_bytes': none, 'file_modified': none, 'content_hash': none}] -%}
    {%- for file in files %}
    select
        '{{ file.file_name | replace("'", "''") }}' as file_name,
        cast({{ 'null' if file.file_bytes is none else file.file_bytes }} as {{ dbt.type_bigint() }}) as file_bytes,
        cast({{ 'null' if file.file_modified is none else "'" ~ file.file_modified ~ "'" }} as {{ string }}) as file_modified,
        cast({{ 'null' if file.content_hash is none else "'" ~ file.content_hash ~ "'" }} as {{ string }}) as content_hash
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- Post-hook of a small model that writes all its rows again every run: removes the rows of the
    earlier runs, inside the model's transaction. -#}
{% macro older_rows_delete() -%}
    {%- if execute and is_incremental() -%}
        delete from {{ this }} where loaded_at < {{ elp_warehouse.load_timestamp() }}
    {%- endif -%}
{%- endmacro %}

{#- One row per year of the per-file parts in `relation` (base_members_yearly_files), restricted
    to `years` (none = all): `fingerprint_year` and `year_fingerprint`, a hash of the extraction
    year (it decides the year rule), the year, and the year's row count and hash sum added up
    over the files. -#}
{% macro file_year_fingerprints(relation, years=none) -%}
    {%- set extraction_year = "'" ~ (var('extraction_date') | string)[:4] ~ "'" -%}
    select
        fingerprint_year,
        {{ elp_warehouse.row_hash([extraction_year, 'fingerprint_year', 'row_count', 'hash_sum']) }}
            as year_fingerprint
    from (
        select
            fingerprint_year,
            sum(row_count) as row_count,
            sum(hash_sum) as hash_sum
        from {{ relation }}
        {%- if years is not none %}
        where {{ 'fingerprint_year in (' ~ years | join(', ') ~ ')' if years else '1 = 0' }}
        {%- endif %}
        group by fingerprint_year
        -- the empty parts of files without rows make no year
        having sum(row_count) > 0
    ) as years
{%- endmacro %}
