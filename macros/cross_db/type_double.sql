{#- 8-byte floating point (dbt.type_float() is 4-byte on DuckDB). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'elp_warehouse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}
