{% macro cte_hint(kind) -%}
    {{ return(adapter.dispatch('cte_hint', 'elp_warehouse')(kind)) }}
{%- endmacro %}

{% macro default__cte_hint(kind) -%}
{%- endmacro %}

{% macro duckdb__cte_hint(kind) -%}
    {%- if kind == 'inline' -%}
        not materialized
    {%- elif kind == 'materialize' -%}
        materialized
    {%- else -%}
        {{ exceptions.raise_compiler_error("cte_hint: kind must be 'inline' or 'materialize', got " ~ kind) }}
    {%- endif -%}
{%- endmacro %}
