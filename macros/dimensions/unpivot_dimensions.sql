{% macro unpivot_dimensions(relation, carry_columns, extra={}) -%}
{%- set carry = carry_columns | join(', ') -%}
{%- set simple = {
    'age_group': 'age_group',
    'sex': "case sex when 'F' then 'female' when 'M' then 'male' end",
    'vt': "case when vt then 'vt' else 'non_vt' end",
    'region': 'region',
    'province': 'province_code',
    'socio_professional': 'socio_professional',
} -%}
{%- set specific = ['placed_child', 'detained', 'unemployed', 'primary_incapacity',
    'invalidity', 'social_assistance'] -%}
select 'total' as dimension, 'belgium' as category, {{ carry }} from {{ relation }}
{%- for dimension, expression in simple.items() %}
union all
select '{{ dimension }}' as dimension, {{ expression }} as category, {{ carry }}
from {{ relation }}
where {{ expression }} is not null
{%- endfor %}
{%- for flag in specific %}
union all
select 'specific_category' as dimension, '{{ flag }}' as category, {{ carry }}
from {{ relation }}
where {{ flag }}
{%- endfor %}
{%- for dimension, column in extra.items() %}
union all
select '{{ dimension }}' as dimension, {{ column }} as category, {{ carry }}
from {{ relation }}
where {{ column }} is not null
{%- endfor %}
{%- endmacro %}

{% macro breakdown_columns() -%}
    age_group, sex, vt, region, province_code, socio_professional, placed_child, detained,
    unemployed, primary_incapacity, invalidity, social_assistance
{%- endmacro %}
