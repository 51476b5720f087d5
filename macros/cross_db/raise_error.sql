{% macro raise_error(message_sql) -%}
    {{ return(adapter.dispatch('raise_error', 'elp_warehouse')(message_sql)) }}
{%- endmacro %}

{% macro default__raise_error(message_sql) -%}
    raise_error({{ message_sql }})
{%- endmacro %}

{% macro duckdb__raise_error(message_sql) -%}
    error({{ message_sql }})
{%- endmacro %}
