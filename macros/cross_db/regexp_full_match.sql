{% macro regexp_full_match(col, pattern) -%}
    {{ return(adapter.dispatch('regexp_full_match', 'elp_warehouse')(col, pattern)) }}
{%- endmacro %}

{% macro default__regexp_full_match(col, pattern) -%}
    ({{ col }} rlike '^(?:{{ pattern }})$')
{%- endmacro %}

{% macro duckdb__regexp_full_match(col, pattern) -%}
    regexp_full_match({{ col }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__regexp_full_match(col, pattern) -%}
    ({{ col }} ~ '^(?:{{ pattern }})$')
{%- endmacro %}
