{#- Every match of `pattern` in `col` replaced: DuckDB replaces the first match only unless
    given the 'g' option; Spark's regexp_replace replaces every match and reads a fourth
    argument as the position to start from. -#}
{% macro regexp_replace_all(col, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'elp_warehouse')(col, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(col, pattern, replacement) -%}
    regexp_replace({{ col }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(col, pattern, replacement) -%}
    regexp_replace({{ col }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}
