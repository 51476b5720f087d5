-- ELP users by function (Tables 2 and 3): support only, treatment only, both (and `other`
-- for users with trajectory services only), as extrapolated users and as weighted shares of
-- the subgroup's users with a 95 % interval.
with

users as (
    select * from {{ ref('int_elp_users_by_dimension') }}
),

functions as (
    select 'support' as elp_function_code
    union all
    select 'treatment' as elp_function_code
    union all
    select 'both' as elp_function_code
    union all
    select 'other' as elp_function_code
),

ratio_input as (
    select
        users.year,
        users.dimension,
        users.category,
        functions.elp_function_code as function_code,
        users.weighting_group,
        users.group_population,
        users.group_members,
        case when users.elp_function = functions.elp_function_code then 1 else 0 end as y,
        users.users
    from users
    cross join functions
),

estimates as (
    {{ poststratified_ratio(
        'ratio_input', ['year', 'dimension', 'category', 'function_code'], 'y', '1',
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
    cast(estimates.function_code as {{ dbt.type_string() }}) as function,
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
        labels.dimension = 'function'
        and estimates.function_code = labels.category
