-- Backtest: each estimate made at a backtest as-of month end (int_nowcast_estimates, target extraction)
-- against what the extraction holds for it; horizon = months since the month, or to come (year end).
{%- set first_month = strict_int_var('elp_start_year') * 12 %}
{%- set last_month = strict_int_var('last_year') * 12 + 11 %}
{%- set max_delay = strict_int_var('nowcast_max_delay_months') %}
{%- set final_after = strict_int_var('nowcast_final_after_months') %}
with

-- and the providers seen behind the row's values (the year end: the year to date's)
estimates as (
    select
        estimates.*,
        as_of.as_of_date,
        as_of.extraction_index,
        providers.providers_observed
    from {{ ref('int_nowcast_estimates') }} as estimates
    inner join {{ ref('int_nowcast_as_of_dates') }} as as_of
        on estimates.as_of_index = as_of.as_of_index and as_of.in_backtest
    left join {{ ref('int_nowcast_providers') }} as providers
        on
            estimates.as_of_index = providers.as_of_index
            and case when estimates.period = 'year_end' then 'year_to_date' else estimates.period end
            = providers.period
            and estimates.period_start_index = providers.period_start_index
            and estimates.area_type = providers.area_type
            and estimates.area = providers.area
    where estimates.target = 'extraction'
),

-- what the extraction holds for each origin month (the triangle at its last known delay)
final_months as (
    select
        triangle.measure,
        triangle.area_type,
        triangle.area,
        triangle.origin_index,
        triangle.cumulative_value as final_value
    from {{ ref('int_nowcast_triangle') }} as triangle
    where
        triangle.delay_months
        = least({{ max_delay }}, {{ date_var_month_index('extraction_date') }} - triangle.origin_index)
),

finals as (
    select
        estimates.as_of_index,
        estimates.period,
        estimates.period_start_index,
        estimates.measure,
        estimates.area_type,
        estimates.area,
        sum(final_months.final_value) as final_value
    from estimates
    inner join final_months
        on
            final_months.measure
            = case
                when estimates.period <> 'month' and estimates.measure = 'users' then 'users_new'
                else estimates.measure
            end
            and estimates.area_type = final_months.area_type
            and estimates.area = final_months.area
            and estimates.period_start_index <= final_months.origin_index
            and final_months.origin_index <= case
                when estimates.period = 'month' then estimates.period_start_index
                when estimates.period = 'year_to_date' then estimates.as_of_index
                else estimates.period_start_index + 11
            end
    group by
        estimates.as_of_index, estimates.period, estimates.period_start_index,
        estimates.measure, estimates.area_type, estimates.area
),

persons as (
    select
        as_of_index,
        period,
        period_start_index,
        area_type,
        area,
        observed_units as users_observed
    from estimates
    where measure = 'users'
),

month_dates as (
    {{ month_index_dates(first_month, last_month) }}
),

scored as (
    select
        estimates.*,
        finals.final_value,
        persons.users_observed,
        case
            when estimates.period = 'month' then estimates.as_of_index - estimates.period_start_index
            when estimates.period = 'year_end' then estimates.period_start_index + 11 - estimates.as_of_index
            else 0
        end as horizon_months
    from estimates
    inner join finals
        on
            estimates.as_of_index = finals.as_of_index
            and estimates.period = finals.period
            and estimates.period_start_index = finals.period_start_index
            and estimates.measure = finals.measure
            and estimates.area_type = finals.area_type
            and estimates.area = finals.area
    left join persons
        on
            estimates.as_of_index = persons.as_of_index
            and case when estimates.period = 'year_end' then 'year_to_date' else estimates.period end
            = persons.period
            and estimates.period_start_index = persons.period_start_index
            and estimates.area_type = persons.area_type
            and estimates.area = persons.area
    where
        estimates.period <> 'year_end'
        or estimates.period_start_index + 11 <= estimates.extraction_index - {{ final_after }}
)

select
    cast(scored.as_of_date as date) as as_of_date,
    cast(scored.period as {{ dbt.type_string() }}) as period,
    cast(month_dates.month_start as date) as period_start,
    cast(scored.horizon_months as {{ dbt.type_int() }}) as horizon_months,
    cast(scored.measure as {{ dbt.type_string() }}) as measure,
    cast(scored.area_type as {{ dbt.type_string() }}) as area_type,
    cast(scored.area as {{ dbt.type_string() }}) as area,
    cast(coalesce(scored.users_observed, 0) as {{ dbt.type_bigint() }}) as users_observed,
    cast(scored.observed_value as {{ type_double() }}) as booked_value,
    cast(scored.completed_value as {{ type_double() }}) as projection,
    cast(scored.ci_low as {{ type_double() }}) as ci_low,
    cast(scored.ci_high as {{ type_double() }}) as ci_high,
    cast(scored.final_value as {{ type_double() }}) as final_value,
    cast(scored.completed_value - scored.final_value as {{ type_double() }}) as error,
    cast((scored.completed_value - scored.final_value) / nullif(scored.final_value, 0) as {{ type_double() }})
        as relative_error,
    cast((scored.observed_value - scored.final_value) / nullif(scored.final_value, 0) as {{ type_double() }})
        as booked_relative_error,
    -- tolerance 1e-9: a final value equal to the booked one and a bound cut at it differ in sum order
    cast(
        scored.final_value between scored.ci_low - 1e-9 * abs(scored.final_value)
        and scored.ci_high + 1e-9 * abs(scored.final_value)
        as {{ dbt.type_boolean() }}
    ) as covered,
    cast(coalesce(scored.providers_observed, 0) as {{ dbt.type_bigint() }}) as providers_observed
from scored
inner join month_dates
    on scored.period_start_index = month_dates.month_index
