{#-
    One spine, many cuts: turn rows carrying the member attributes of the study's breakdowns
    into long (dimension, category) rows, one per dimension the row belongs to, keeping every
    other column. Adding a dimension is one entry here. Expected attribute columns (as in
    int_member_years): age_group, sex ('F'/'M'), vt (boolean), region, province_code,
    socio_professional, and the booleans placed_child, detained, unemployed,
    primary_incapacity, invalidity, social_assistance. `extra` adds dimensions held in
    columns of the relation, as {dimension: column}, e.g. {'network_type': 'network_type'}.
    Dimensions overlap (specific categories, and every row is also in `total`).
-#}
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

{#- The member attributes unpivot_dimensions reads, as a comma-separated column list: models
    that pre-aggregate before unpivoting select and group by exactly these, so a new
    breakdown is added in this file only. -#}
{% macro breakdown_columns() -%}
    age_group, sex, vt, region, province_code, socio_professional, placed_child, detained,
    unemployed, primary_incapacity, invalidity, social_assistance
{%- endmacro %}
