{#- Layer schemas are used as they are named (staging, intermediate, marts, seeds), not
    prefixed with the target schema, so BI users find `marts.mart_x` in every environment. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
