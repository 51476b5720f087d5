{#- Where a raw source table comes from. DuckDB reads the folder in place (the source's
    `external_location`, a read_parquet over the folder's files); dbt-spark has no such
    setting, so on Spark each raw table read by the run is declared at run start as an external
    Parquet table over its folder (the data stay where they are; dropping it drops no file). -#}
{% macro register_raw_sources() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(adapter.dispatch('register_raw_sources', 'elp_warehouse')()) }}
{%- endmacro %}

{% macro default__register_raw_sources() -%}
    {{ return('') }}
{%- endmacro %}

{#- Re-declared on every run: the table's schema is the files' as of this run and its path
    follows ELP_RAW_DIR. recursiveFileLookup reads sub-folders without taking their names as
    partition columns (as DuckDB's hive_partitioning = false); mergeSchema combines files by
    column name (as union_by_name). -#}
{% macro spark__register_raw_sources() -%}
    {%- set raw_sources = raw_sources_read_by_selection() -%}
    {%- if raw_sources | length > 0 -%}
        {%- do run_query('create schema if not exists ' ~ raw_sources[0].schema) -%}
    {%- endif -%}
    {%- for raw_source in raw_sources -%}
        {%- set relation = raw_source.schema ~ '.' ~ raw_source.identifier -%}
        {%- set folder = raw_table_folder(raw_source.name) | replace("'", "\\'") -%}
        {%- do run_query('drop table if exists ' ~ relation) -%}
        {%- do run_query('create table ' ~ relation ~ " using parquet options (path '" ~ folder
            ~ "', recursiveFileLookup 'true', mergeSchema 'true')") -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}
