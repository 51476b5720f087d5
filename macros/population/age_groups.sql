{% macro age_group(age) -%}
    case
        when {{ age }} < 20 then '0-19'
        when {{ age }} < 30 then '20-29'
        when {{ age }} < 45 then '30-44'
        when {{ age }} < 65 then '45-64'
        when {{ age }} < 80 then '65-79'
        else '80+'
    end
{%- endmacro %}

{% macro age_band(age) -%}
    least(cast(floor({{ age }} / 5) * 5 as {{ dbt.type_int() }}), 90)
{%- endmacro %}
