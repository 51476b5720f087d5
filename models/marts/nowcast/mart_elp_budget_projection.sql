-- Year-end projection of ELP spending and services and of the budget's utilisation, per area,
-- for the year of the as-of date (var nowcast_as_of): the spending booked to date, completed
-- by chain ladder, plus a damped trend for the months to come, with 95 % prediction
-- intervals (int_nowcast_estimates, target ultimate). Budgets: seed elp_budget per province
-- (Belgium = their sum), seed elp_network_type_budget per network type; all are estimates.
with

estimates as (
    select * from {{ ref('int_nowcast_estimates') }}
    where target = 'ultimate' and period in ('year_to_date', 'year_end')
),

as_of as (
    select
        as_of_index,
        as_of_date
    from {{ ref('int_nowcast_as_of_dates') }}
    where is_published
),

wide as (
    select
        as_of_index,
        area_type,
        area,
        max(case when period = 'year_to_date' and measure = 'users' then observed_units end)
            as users_observed,
        max(case when period = 'year_to_date' and measure = 'spending_eur' then observed_value end)
            as spending_eur_to_date,
        max(case when period = 'year_to_date' and measure = 'spending_eur' then completed_value end)
            as spending_eur_to_date_completed,
        max(case when period = 'year_end' and measure = 'spending_eur' then completed_value end)
            as spending_eur_projected,
        max(case when period = 'year_end' and measure = 'spending_eur' then ci_low end)
            as spending_eur_projected_ci_low,
        max(case when period = 'year_end' and measure = 'spending_eur' then ci_high end)
            as spending_eur_projected_ci_high,
        max(case when period = 'year_end' and measure = 'services' then completed_value end)
            as services_projected,
        max(case when period = 'year_end' and measure = 'services' then ci_low end)
            as services_projected_ci_low,
        max(case when period = 'year_end' and measure = 'services' then ci_high end)
            as services_projected_ci_high,
        {{ dbt.bool_or('uses_pooled_factor') }} as uses_pooled_factor
    from estimates
    group by as_of_index, area_type, area
),

budgets as (
    select
        year,
        'province' as area_type,
        province_code as area,
        budget_eur,
        is_estimate
    from {{ ref('elp_budget') }}
    union all
    select
        year,
        'total' as area_type,
        'belgium' as area,
        sum(budget_eur) as budget_eur,
        {{ dbt.bool_or('is_estimate') }} as is_estimate
    from {{ ref('elp_budget') }}
    group by year
    union all
    select
        year,
        'network_type' as area_type,
        network_type as area,
        budget_eur,
        is_estimate
    from {{ ref('elp_network_type_budget') }}
),

-- the providers seen in the year to date: the spending and services rest on their activity
providers as (
    select * from {{ ref('int_nowcast_providers') }}
    where period = 'year_to_date'
),

labels as (
    select * from {{ ref('labels') }}
),

projected as (
    select
        wide.*,
        as_of.as_of_date,
        cast(floor(wide.as_of_index / 12.0) as {{ dbt.type_int() }}) as year
    from wide
    inner join as_of
        on wide.as_of_index = as_of.as_of_index
)

select
    cast(projected.year as {{ dbt.type_int() }}) as year,
    cast(projected.area_type as {{ dbt.type_string() }}) as area_type,
    cast(projected.area as {{ dbt.type_string() }}) as area,
    cast(projected.as_of_date as date) as as_of_date,
    cast(labels.label_nl as {{ dbt.type_string() }}) as label_nl,
    cast(labels.label_fr as {{ dbt.type_string() }}) as label_fr,
    cast(labels.label_en as {{ dbt.type_string() }}) as label_en,
    cast(budgets.budget_eur as {{ type_double() }}) as budget_eur,
    cast(budgets.is_estimate as {{ dbt.type_boolean() }}) as budget_is_estimate,
    cast(coalesce(projected.users_observed, 0) as {{ dbt.type_bigint() }}) as users_observed,
    cast(projected.spending_eur_to_date as {{ type_double() }}) as spending_eur_to_date,
    cast(projected.spending_eur_to_date_completed as {{ type_double() }})
        as spending_eur_to_date_completed,
    cast(projected.spending_eur_projected as {{ type_double() }}) as spending_eur_projected,
    cast(projected.spending_eur_projected_ci_low as {{ type_double() }})
        as spending_eur_projected_ci_low,
    cast(projected.spending_eur_projected_ci_high as {{ type_double() }})
        as spending_eur_projected_ci_high,
    cast(projected.services_projected as {{ type_double() }}) as services_projected,
    cast(projected.services_projected_ci_low as {{ type_double() }}) as services_projected_ci_low,
    cast(projected.services_projected_ci_high as {{ type_double() }}) as services_projected_ci_high,
    cast(projected.spending_eur_to_date / nullif(budgets.budget_eur, 0) as {{ type_double() }})
        as budget_utilisation_to_date,
    cast(projected.spending_eur_projected / nullif(budgets.budget_eur, 0) as {{ type_double() }})
        as budget_utilisation_projected,
    cast(projected.spending_eur_projected_ci_low / nullif(budgets.budget_eur, 0) as {{ type_double() }})
        as budget_utilisation_ci_low,
    cast(projected.spending_eur_projected_ci_high / nullif(budgets.budget_eur, 0) as {{ type_double() }})
        as budget_utilisation_ci_high,
    cast(projected.uses_pooled_factor as {{ dbt.type_boolean() }}) as uses_pooled_factor,
    cast(coalesce(providers.providers_observed, 0) as {{ dbt.type_bigint() }}) as providers_observed
from projected
left join budgets
    on
        projected.year = budgets.year
        and projected.area_type = budgets.area_type
        and projected.area = budgets.area
left join providers
    on
        projected.as_of_index = providers.as_of_index
        and projected.area_type = providers.area_type
        and projected.area = providers.area
left join labels
    on projected.area_type = labels.dimension and projected.area = labels.category
