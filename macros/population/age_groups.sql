{#- The study's six analysis age groups (methods section 3). Age = year - birth_year. -#}
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

{#- Lower bound of the 5-year band used by the IMA population seed; 90 = 90+. -#}
{% macro age_band(age) -%}
    least(cast(floor({{ age }} / 5) * 5 as {{ dbt.type_int() }}), 90)
{%- endmacro %}

{#- Analysis age group of a 5-year band (bands never straddle a group boundary). -#}
{% macro age_group_of_band(age_band) -%}
    {{ age_group(age_band) }}
{%- endmacro %}
