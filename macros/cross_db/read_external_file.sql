{% macro read_external_file(path) -%}
    {{ return(adapter.dispatch('read_external_file', 'elp_warehouse')(path)) }}
{%- endmacro %}

{% macro default__read_external_file(path) -%}
    {%- if path.lower().endswith('.parquet') -%}
        parquet.`{{ path }}`
    {%- else -%}
        csv.`{{ path }}`
    {%- endif -%}
{%- endmacro %}

{#- CSV columns are read as text: the model casts them, so a stray value (`n/a`) becomes a
    null that the model's checks name, where a sniffed type fails the read without naming the
    row. -#}
{% macro duckdb__read_external_file(path) -%}
    {%- set quoted = path | replace("'", "''") -%}
    {%- if path.lower().endswith('.parquet') -%}
        read_parquet('{{ quoted }}')
    {%- else -%}
        read_csv('{{ quoted }}', header = true, auto_detect = true, all_varchar = true)
    {%- endif -%}
{%- endmacro %}
