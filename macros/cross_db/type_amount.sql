{#- Money in euro: exact decimal, wide enough for sums over a national extract. -#}
{% macro type_amount() -%}
    decimal(18, 2)
{%- endmacro %}
