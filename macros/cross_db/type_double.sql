{#- 8-byte floating point. type_double() renders `float`, which DuckDB reads as a 4-byte
    REAL: weights and rates would silently lose precision after ~7 digits. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'elp_warehouse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}double precision{%- endmacro %}

{% macro duckdb__type_double() -%}double{%- endmacro %}

{% macro spark__type_double() -%}double{%- endmacro %}
