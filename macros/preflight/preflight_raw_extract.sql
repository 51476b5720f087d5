{% macro preflight_raw_extract() -%}
    {%- if not execute or var('skip_raw_preflight', false) -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(adapter.dispatch('preflight_raw_extract', 'elp_warehouse')()) }}
{%- endmacro %}

{% macro default__preflight_raw_extract() -%}
    {%- do log('Raw preflight: not implemented for adapter ' ~ adapter.type() ~ ', skipped', info=true) -%}
    {{ return('') }}
{%- endmacro %}

{% macro duckdb__preflight_raw_extract() -%}
    {%- for raw_source in raw_sources_read_by_selection() -%}
        {%- do preflight_raw_table(raw_source) -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}

{#- a build of downstream models only reads no raw table, and checks none -#}
{% macro raw_sources_read_by_selection() -%}
    {%- set source_ids = [] -%}
    {%- for unique_id in selected_resources -%}
        {%- set node = graph.nodes.get(unique_id) -%}
        {%- for dependency in (node.depends_on.nodes if node is not none else []) -%}
            {%- set dependency_source = graph.sources.get(dependency) -%}
            {%- if dependency_source is not none and dependency_source.source_name == 'raw'
                and dependency not in source_ids -%}
                {%- do source_ids.append(dependency) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set raw_sources = [] -%}
    {%- for source_id in source_ids | sort -%}
        {%- do raw_sources.append(graph.sources[source_id]) -%}
    {%- endfor -%}
    {{ return(raw_sources) }}
{%- endmacro %}

{% macro raw_table_folder(table_name) -%}
    {%- set raw_dir = env_var('ELP_RAW_DIR', 'data/raw') | trim -%}
    {{ return(raw_dir.rstrip('/') ~ '/' ~ table_name) }}
{%- endmacro %}

{% macro preflight_raw_table(raw_source) -%}
    {%- set started = modules.datetime.datetime.now() -%}
    {%- set table_name = raw_source.name -%}
    {%- set folder = raw_table_folder(table_name) -%}
    {%- set file_glob = (folder ~ '/**/*.parquet') | replace("'", "''") -%}
    {%- set refusal = 'Raw extract refused (source contract, table ' ~ table_name ~ '): ' -%}

    {%- set files = run_query("select file from glob('" ~ file_glob ~ "') order by file").columns[0].values() -%}
    {%- if files | length == 0 -%}
        {{ refuse_extract(refusal ~ 'no Parquet file in folder ' ~ folder
            ~ ' (expected ' ~ folder ~ '/**/*.parquet; set ELP_RAW_DIR to the extract folder)') }}
    {%- endif -%}

    {#- a file that is not Parquet (e.g. a month delivered as CSV) would be left out silently;
        hidden and marker files (`.x`, `_SUCCESS`) are allowed -#}
    {%- set other_glob = (folder ~ '/**/*') | replace("'", "''") -%}
    {%- set others = run_query(
        "select file from glob('" ~ other_glob ~ "') where not file like '%.parquet'"
        ~ " and not regexp_matches(file, '(^|/)[._][^/]*$') order by file"
    ).columns[0].values() -%}
    {%- if others | length > 0 -%}
        {{ refuse_extract(refusal ~ 'file ' ~ others[0] ~ ' is not a Parquet file'
            ~ ' (name ending in .parquet)' ~ ((' and ' ~ (others | length - 1) ~ ' other file(s)')
                if others | length > 1 else '')
            ~ '; the build reads Parquet only and would leave its rows out') }}
    {%- endif -%}

    {#- each file read on its own, so that DuckDB's error on a corrupt footer names that file -#}
    {%- for file in files -%}
        {%- set quoted_file = file | replace("'", "''") -%}
        {%- do log('Raw preflight: reading the schema of ' ~ file, info=false) -%}
        {%- set described = run_query(
            "describe select * from read_parquet('" ~ quoted_file ~ "', hive_partitioning = false)"
        ) -%}
        {%- set file_types = {} -%}
        {%- for row in described.rows -%}
            {%- do file_types.update({row['column_name'] | lower: row['column_type'] | upper}) -%}
        {%- endfor -%}
        {%- for column in raw_source.columns.values() -%}
            {%- set expected_type = (column.data_type or '') | upper -%}
            {%- set family = raw_type_family(expected_type, contract=true) -%}
            {%- set column_name = column.name | lower -%}
            {%- if column_name not in file_types -%}
                {{ refuse_extract(refusal ~ 'file ' ~ file ~ ' has no column '
                    ~ column.name ~ ' (contract type ' ~ expected_type ~ ')') }}
            {%- endif -%}
            {%- set actual_type = file_types[column_name] -%}
            {%- if family not in raw_type_family(actual_type) -%}
                {{ refuse_extract(refusal ~ 'file ' ~ file ~ ', column '
                    ~ column.name ~ ' has type ' ~ actual_type ~ '; the contract wants '
                    ~ expected_type ~ ' (a ' ~ family ~ ' type)') }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}

    {#- only member_id is read; the files are named by a second query, run only on a match -#}
    {%- if 'member_id' in raw_source.columns -%}
        {%- set niss_filter = looks_like_niss('member_id') -%}
        {%- set niss_count_sql -%}
            select count(*) as niss_like_rows
            from read_parquet('{{ file_glob }}', union_by_name = true, hive_partitioning = false)
            where {{ niss_filter }}
        {%- endset -%}
        {%- if run_query(niss_count_sql).columns[0].values()[0] > 0 -%}
            {%- set niss_files_sql -%}
                select filename as file, count(*) as niss_like_rows
                from read_parquet('{{ file_glob }}', filename = true, union_by_name = true, hive_partitioning = false)
                where {{ niss_filter }}
                group by filename
                order by filename
            {%- endset -%}
            {%- set niss_files = run_query(niss_files_sql) -%}
            {%- set listed = [] -%}
            {%- for row in niss_files.rows[:5] -%}
                {%- do listed.append(row['file'] ~ ' (' ~ row['niss_like_rows'] ~ ' rows)') -%}
            {%- endfor -%}
            {{ refuse_extract(refusal ~ 'member_id looks like a national register '
                ~ 'number (INSZ/NISS, 11 digits) in ' ~ listed | join(', ')
                ~ (' and more files' if niss_files.rows | length > 5 else '')
                ~ '. Rule member_id_looks_like_niss: the extract must carry pseudonymised '
                ~ 'identifiers only; values are not shown.') }}
        {%- endif -%}
    {%- endif -%}

    {%- set seconds = (modules.datetime.datetime.now() - started).total_seconds() -%}
    {%- do log('Raw preflight: ' ~ table_name ~ ': ' ~ files | length ~ ' file(s), contract columns '
        ~ 'and types ok, no NISS-like member_id (' ~ '%.2f' | format(seconds) ~ ' s)', info=true) -%}
{%- endmacro %}

{% macro raw_type_family(type_name, contract=false) -%}
    {%- set t = (type_name or '') | upper | trim -%}
    {%- set base = t.split('(')[0] | trim -%}
    {%- set integers = ['TINYINT', 'SMALLINT', 'INTEGER', 'INT', 'BIGINT', 'HUGEINT', 'UTINYINT',
        'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT'] -%}
    {%- set decimals = ['DECIMAL', 'NUMERIC', 'DOUBLE', 'FLOAT', 'REAL'] -%}
    {%- if base in ['VARCHAR', 'TEXT', 'STRING'] -%}
        {%- set families = ['string'] -%}
    {%- elif base in integers -%}
        {%- set families = ['integer', 'numeric'] -%}
    {%- elif base in decimals -%}
        {%- set families = ['numeric'] -%}
    {%- elif base == 'DATE' or base.startswith('TIMESTAMP') -%}
        {%- set families = ['date'] -%}
    {%- elif base in ['BOOLEAN', 'BOOL'] -%}
        {%- set families = ['boolean'] -%}
    {%- else -%}
        {%- set families = [] -%}
    {%- endif -%}
    {%- if contract -%}
        {%- if families | length == 0 -%}
            {{ exceptions.raise_compiler_error('raw_type_family: the source contract type ' ~ t
                ~ ' has no type family') }}
        {%- endif -%}
        {{ return(families[0]) }}
    {%- endif -%}
    {{ return(families) }}
{%- endmacro %}
