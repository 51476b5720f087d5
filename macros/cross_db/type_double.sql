{#- Not dbt.type_float(): its `float` is a 4-byte REAL in DuckDB. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'elp_warehouse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}double precision{%- endmacro %}

{% macro duckdb__type_double() -%}double{%- endmacro %}

{% macro spark__type_double() -%}double{%- endmacro %}
