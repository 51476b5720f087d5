{#- A 64-bit hash of a row's columns (nulls included), used to spot identical copies of a row
    without sorting the whole table on every column. Engine-specific, hence dispatched. -#}
{% macro row_hash(columns) -%}
    {{ return(adapter.dispatch('row_hash', 'elp_warehouse')(columns)) }}
{%- endmacro %}

{#- Spark / Databricks. -#}
{% macro default__row_hash(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}

{% macro duckdb__row_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}
