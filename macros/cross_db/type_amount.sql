{% macro type_amount() -%}
    decimal(18, 2)
{%- endmacro %}
