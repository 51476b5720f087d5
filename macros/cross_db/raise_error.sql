{#- An expression that aborts the query with `message_sql` (a SQL string expression) as the error
    text when it is evaluated. Used by data tests whose failure must name what failed (dbt prints
    only a row count for an ordinary failing test). Engine-specific, hence dispatched. -#}
{% macro raise_error(message_sql) -%}
    {{ return(adapter.dispatch('raise_error', 'elp_warehouse')(message_sql)) }}
{%- endmacro %}

{#- Spark / Databricks: raise_error(). -#}
{% macro default__raise_error(message_sql) -%}
    raise_error({{ message_sql }})
{%- endmacro %}

{% macro duckdb__raise_error(message_sql) -%}
    error({{ message_sql }})
{%- endmacro %}
