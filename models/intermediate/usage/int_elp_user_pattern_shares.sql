-- Weighted shares of the subgroup's ELP users per user pattern, per year x dimension x
-- category (Tables 2-4, Figure 6, Annex 4), as published by mart_elp_users_by_function
-- (pattern group `function`) and mart_elp_users_by_setting (`exclusive` and `any`). Function
-- and exclusive setting patterns partition the users; the `any` settings overlap.
{%- set pattern_groups = {
    'function': ['support', 'treatment', 'both', 'other'],
    'exclusive': ['office_only', 'outreach_only', 'group_only', 'home_only', 'remote_only', 'multiple',
        'other'],
    'any': ['office', 'outreach', 'group', 'home', 'remote'],
} %}

with

users as (
    select * from {{ ref('int_elp_users_by_dimension') }}
),

patterns as (
    {%- for pattern_group, codes in pattern_groups.items() %}
        {%- set last_group = loop.last %}
        {%- for code in codes %}
            select
                '{{ pattern_group }}' as pattern_group,
                '{{ code }}' as pattern
            {{ 'union all' if not (last_group and loop.last) }}
        {%- endfor %}
    {%- endfor %}
),

-- every user of the subgroup is in the domain: y = 1 for those with the pattern, else 0
ratio_input as (
    select
        users.year,
        users.dimension,
        users.category,
        patterns.pattern_group,
        patterns.pattern,
        users.weighting_group,
        users.group_population,
        users.group_members,
        case
            when patterns.pattern_group = 'function' and users.elp_function = patterns.pattern then 1
            when patterns.pattern_group = 'exclusive' and users.elp_setting_pattern = patterns.pattern
                then 1
            {%- for setting in pattern_groups['any'] %}
                when patterns.pattern = '{{ setting }}' and users.uses_elp_{{ setting }} then 1
            {%- endfor %}
            else 0
        end as y,
        users.users
    from users
    cross join patterns
),

estimates as (
    {{ poststratified_ratio(
        'ratio_input', ['year', 'dimension', 'category', 'pattern_group', 'pattern'], 'y', '1',
        unit_count='users'
    ) }}
),

labels as (
    select * from {{ ref('labels') }}
)

select
    cast(estimates.year as {{ dbt.type_int() }}) as year,
    cast(estimates.dimension as {{ dbt.type_string() }}) as dimension,
    cast(estimates.category as {{ dbt.type_string() }}) as category,
    cast(estimates.pattern_group as {{ dbt.type_string() }}) as pattern_group,
    cast(estimates.pattern as {{ dbt.type_string() }}) as pattern,
    cast(estimates.units_observed as {{ dbt.type_bigint() }}) as subgroup_users_observed,
    cast(estimates.y_units_observed as {{ dbt.type_bigint() }}) as users_observed,
    cast(estimates.x_total as {{ type_double() }}) as subgroup_users_extrapolated,
    cast(estimates.y_total as {{ type_double() }}) as users_extrapolated,
    cast(estimates.estimate as {{ type_double() }}) as users_share,
    cast(estimates.ci_low as {{ type_double() }}) as users_share_ci_low,
    cast(estimates.ci_high as {{ type_double() }}) as users_share_ci_high,
    cast(labels.label_nl as {{ dbt.type_string() }}) as label_nl,
    cast(labels.label_fr as {{ dbt.type_string() }}) as label_fr,
    cast(labels.label_en as {{ dbt.type_string() }}) as label_en
from estimates
left join labels
    on
        labels.dimension = case estimates.pattern_group when 'function' then 'function' else 'setting' end
        and estimates.pattern = labels.category
