{% macro analysis_years() -%}
    {%- set first_year = var('first_year') | int -%}
    {%- set last_year = var('last_year') | int -%}
    {%- for y in range(first_year, last_year + 1) %}
    select cast({{ y }} as {{ dbt.type_int() }}) as year
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
{%- endmacro %}
