-- ELP users by care setting (Table 4, Figure 6, Annex 4): the exclusive pattern of the
-- year's session settings (office only, ..., multiple, other) and the share of users with at
-- least one session in each setting (any-use; these overlap).
with

users as (
    select * from {{ ref('int_elp_users_by_dimension') }}
),

settings as (
    select
        'exclusive' as setting_group,
        'office_only' as setting
    union all
    select
        'exclusive' as setting_group,
        'outreach_only' as setting
    union all
    select
        'exclusive' as setting_group,
        'group_only' as setting
    union all
    select
        'exclusive' as setting_group,
        'home_only' as setting
    union all
    select
        'exclusive' as setting_group,
        'remote_only' as setting
    union all
    select
        'exclusive' as setting_group,
        'multiple' as setting
    union all
    select
        'exclusive' as setting_group,
        'other' as setting
    union all
    select
        'any' as setting_group,
        'office' as setting
    union all
    select
        'any' as setting_group,
        'outreach' as setting
    union all
    select
        'any' as setting_group,
        'group' as setting
    union all
    select
        'any' as setting_group,
        'home' as setting
    union all
    select
        'any' as setting_group,
        'remote' as setting
),

ratio_input as (
    select
        users.year,
        users.dimension,
        users.category,
        settings.setting_group,
        settings.setting,
        users.weighting_group,
        users.group_population,
        users.group_members,
        case
            when settings.setting_group = 'exclusive'
                then case when users.elp_setting_pattern = settings.setting then 1 else 0 end
            when settings.setting = 'office' then cast(users.uses_elp_office as {{ dbt.type_int() }})
            when settings.setting = 'outreach' then cast(users.uses_elp_outreach as {{ dbt.type_int() }})
            when settings.setting = 'group' then cast(users.uses_elp_group as {{ dbt.type_int() }})
            when settings.setting = 'home' then cast(users.uses_elp_home as {{ dbt.type_int() }})
            when settings.setting = 'remote' then cast(users.uses_elp_remote as {{ dbt.type_int() }})
        end as y,
        users.users
    from users
    cross join settings
),

estimates as (
    {{ poststratified_ratio(
        'ratio_input', ['year', 'dimension', 'category', 'setting_group', 'setting'], 'y', '1',
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
    cast(estimates.setting_group as {{ dbt.type_string() }}) as setting_group,
    cast(estimates.setting as {{ dbt.type_string() }}) as setting,
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
        labels.dimension = 'setting'
        and estimates.setting = labels.category
