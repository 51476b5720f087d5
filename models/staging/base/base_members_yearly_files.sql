{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    post_hook="{{ elp_warehouse.older_rows_delete() }}",
) }}
-- Per file of raw members_yearly and per year in it: the row count and hash sum of the year's
-- typed rows in that file, for the file's content hash. base_members_yearly adds them up into
-- each year's fingerprint. A file whose content the table already holds keeps its rows; only
-- new or changed files are read (macros/incremental/raw_file_fingerprints.sql). Every run
-- writes the current files' rows again (a few rows per file) and the post-hook drops the
-- older ones, so files gone from the extract leave the table.
-- depends_on: {{ source('raw', 'members_yearly') }}
{%- set typed_columns = elp_warehouse.raw_typed_columns('members_yearly') %}
{%- set plan = elp_warehouse.raw_files_plan('members_yearly') %}
{%- set read_names = plan.to_read | map(attribute='file_name') | list %}
{%- set first_file = plan.current[:1] | map(attribute='file_name') | list %}
{%- set quoted_names = [] %}
{%- for name in read_names %}
    {%- do quoted_names.append("'" ~ name | replace("'", "''") ~ "'") %}
{%- endfor %}
{%- set read_condition = '1 = 0' %}
{%- if read_names %}
    {%- set read_condition = 'current_files.file_name in (' ~ quoted_names | join(', ') ~ ')' %}
{%- endif %}
with

current_files as (
    {{ elp_warehouse.raw_files_values(plan.current) | indent(4) }}
),

{% if is_incremental() -%}
kept_parts as (
    select
        kept.file_name,
        current_files.file_bytes,
        current_files.file_modified,
        kept.content_hash,
        kept.fingerprint_year,
        kept.row_count,
        kept.hash_sum,
        kept.fingerprinted_at
    from {{ this }} as kept
    inner join current_files
        on
            kept.file_name = current_files.file_name
            and kept.content_hash = current_files.content_hash
),

{% endif -%}
read_parts as (
    select
        typed_rows.file_name,
        {{ elp_warehouse.fingerprint_year() }} as fingerprint_year,
        {{ elp_warehouse.rows_fingerprint_parts(typed_columns.keys() | list) | indent(8) }}
    from (
        select
            file_name,
            {{ elp_warehouse.typed_select_list(typed_columns) | indent(12) }}
        from (
            -- no file to read: the first file gives the shape of the rows, none of them
            {{ elp_warehouse.raw_rows_of_files('members_yearly', read_names or first_file) | indent(12) }}
        ) as raw_rows
        where {{ 'true' if read_names else '1 = 0' }}
    ) as typed_rows
    group by typed_rows.file_name, {{ elp_warehouse.fingerprint_year() }}
)

select
    parts.*,
    {{ elp_warehouse.load_timestamp() }} as loaded_at
from (
    {% if is_incremental() -%}
    select * from kept_parts
    union all
    {% endif -%}
    select
        read_parts.file_name,
        current_files.file_bytes,
        current_files.file_modified,
        current_files.content_hash,
        read_parts.fingerprint_year,
        read_parts.row_count,
        read_parts.hash_sum,
        {{ elp_warehouse.load_timestamp() }} as fingerprinted_at
    from read_parts
    inner join current_files
        on read_parts.file_name = current_files.file_name
    union all
    -- a file read without rows gets one empty part, so that the table lists every file
    select
        current_files.file_name,
        current_files.file_bytes,
        current_files.file_modified,
        current_files.content_hash,
        -1 as fingerprint_year,
        0 as row_count,
        0 as hash_sum,
        {{ elp_warehouse.load_timestamp() }} as fingerprinted_at
    from current_files
    where
        {{ read_condition }}
        and current_files.file_name not in (select read_parts.file_name from read_parts)
) as parts
