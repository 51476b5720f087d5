-- ELP users, services and spending of the recent months and of the year to date, as booked by
-- the as-of date (var nowcast_as_of) and completed by chain ladder, with 95 % prediction
-- intervals (int_nowcast_estimates, target ultimate), and the providers seen behind the
-- services and spending (int_nowcast_providers). One row per period x area.
{%- set first_month = strict_int_var('elp_start_year') * 12 %}
{%- set last_month = strict_int_var('last_year') * 12 + 11 %}
with

estimates as (
    select * from {{ ref('int_nowcast_estimates') }}
    where target = 'ultimate' and period in ('month', 'year_to_date')
),

as_of as (
    select
        as_of_index,
        as_of_date
    from {{ ref('int_nowcast_as_of_dates') }}
    where is_published
),

month_dates as (
    {{ month_index_dates(first_month, last_month) }}
),

wide as (
    select
        as_of_index,
        period,
        period_start_index,
        area_type,
        area,
        max(case when measure = 'users' then observed_units end) as users_observed,
        max(case when measure = 'users' then observed_value end) as users_extrapolated,
        max(case when measure = 'users' then completed_value end) as users_completed,
        max(case when measure = 'users' then ci_low end) as users_ci_low,
        max(case when measure = 'users' then ci_high end) as users_ci_high,
        max(case when measure = 'services' then observed_units end) as services_observed,
        max(case when measure = 'services' then observed_value end) as services_extrapolated,
        max(case when measure = 'services' then completed_value end) as services_completed,
        max(case when measure = 'services' then ci_low end) as services_ci_low,
        max(case when measure = 'services' then ci_high end) as services_ci_high,
        max(case when measure = 'spending_eur' then observed_value end) as spending_eur_extrapolated,
        max(case when measure = 'spending_eur' then completed_value end) as spending_eur_completed,
        max(case when measure = 'spending_eur' then ci_low end) as spending_eur_ci_low,
        max(case when measure = 'spending_eur' then ci_high end) as spending_eur_ci_high,
        {{ dbt.bool_or('uses_pooled_factor') }} as uses_pooled_factor
    from estimates
    group by as_of_index, period, period_start_index, area_type, area
),

providers as (
    select * from {{ ref('int_nowcast_providers') }}
),

labels as (
    select * from {{ ref('labels') }}
)

select
    cast(as_of.as_of_date as date) as as_of_date,
    cast(wide.period as {{ dbt.type_string() }}) as period,
    cast(month_dates.month_start as date) as period_start,
    cast(case when wide.period = 'month' then month_dates.month_end else as_of.as_of_date end as date)
        as period_end,
    cast(wide.area_type as {{ dbt.type_string() }}) as area_type,
    cast(wide.area as {{ dbt.type_string() }}) as area,
    cast(labels.label_nl as {{ dbt.type_string() }}) as label_nl,
    cast(labels.label_fr as {{ dbt.type_string() }}) as label_fr,
    cast(labels.label_en as {{ dbt.type_string() }}) as label_en,
    cast(coalesce(wide.users_observed, 0) as {{ dbt.type_bigint() }}) as users_observed,
    cast(wide.users_extrapolated as {{ type_double() }}) as users_extrapolated,
    cast(wide.users_completed as {{ type_double() }}) as users_completed,
    cast(wide.users_ci_low as {{ type_double() }}) as users_ci_low,
    cast(wide.users_ci_high as {{ type_double() }}) as users_ci_high,
    cast(wide.users_extrapolated / nullif(wide.users_completed, 0) as {{ type_double() }})
        as users_completeness,
    cast(wide.services_observed as {{ dbt.type_bigint() }}) as services_observed,
    cast(wide.services_extrapolated as {{ type_double() }}) as services_extrapolated,
    cast(wide.services_completed as {{ type_double() }}) as services_completed,
    cast(wide.services_ci_low as {{ type_double() }}) as services_ci_low,
    cast(wide.services_ci_high as {{ type_double() }}) as services_ci_high,
    cast(wide.services_extrapolated / nullif(wide.services_completed, 0) as {{ type_double() }})
        as services_completeness,
    cast(wide.spending_eur_extrapolated as {{ type_double() }}) as spending_eur_extrapolated,
    cast(wide.spending_eur_completed as {{ type_double() }}) as spending_eur_completed,
    cast(wide.spending_eur_ci_low as {{ type_double() }}) as spending_eur_ci_low,
    cast(wide.spending_eur_ci_high as {{ type_double() }}) as spending_eur_ci_high,
    cast(wide.spending_eur_extrapolated / nullif(wide.spending_eur_completed, 0) as {{ type_double() }})
        as spending_completeness,
    cast(wide.uses_pooled_factor as {{ dbt.type_boolean() }}) as uses_pooled_factor,
    cast(coalesce(providers.providers_observed, 0) as {{ dbt.type_bigint() }}) as providers_observed
from wide
inner join as_of
    on wide.as_of_index = as_of.as_of_index
inner join month_dates
    on wide.period_start_index = month_dates.month_index
left join providers
    on
        wide.as_of_index = providers.as_of_index
        and wide.period = providers.period
        and wide.period_start_index = providers.period_start_index
        and wide.area_type = providers.area_type
        and wide.area = providers.area
left join labels
    on wide.area_type = labels.dimension and wide.area = labels.category
