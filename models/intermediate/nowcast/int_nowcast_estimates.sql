-- Nowcast estimates with 95 % prediction intervals, per as-of month, target (ultimate or
-- extraction, int_nowcast_completed), measure and area, for three periods:
--   month: each of the last 12 months up to the as-of month;
--   year_to_date: January to the as-of month (users: persons first seen in the year, measure
--     users_new, so a person counts once);
--   year_end: the year to date plus the months still to come (services and spending only),
--     projected with a trend fitted by least squares on the last nowcast_trend_months
--     completed months and damped by nowcast_trend_damping per month ahead.
-- Intervals (docs/nowcast.md). Month and year to date: Mack's mean squared error of the
-- completion (the year to date adds the covariance 2 C^_i C^_j parameter_term_i of each older
-- origin i with each younger j), a normal interval cut at what is booked. Year end: plus the
-- trend's prediction variance for the sum of the months to come, their errors taken as fully
-- correlated, plus the squared gap between the straight line and flat (macro
-- nowcast_trend_ctes), a Student t interval.
{%- set trend_months = strict_int_var('nowcast_trend_months') %}
{%- set damping = nowcast_trend_damping() %}
{%- set z = 1.959964 %}
{%- set t_quantile = t_quantile_975(trend_months - 2) %}
with

completed as (
    select
        completed.*,
        cast(floor(as_of_index / 12.0) * 12 as {{ dbt.type_int() }}) as year_start_index
    from {{ ref('int_nowcast_completed') }} as completed
),

months as (
    select
        as_of_index,
        target,
        'month' as period,
        origin_index as period_start_index,
        measure,
        area_type,
        area,
        observed_value,
        observed_units,
        completed_value,
        mse,
        uses_pooled_factor
    from completed
    where measure in ('services', 'spending_eur', 'users') and origin_index > as_of_index - 12
),

year_origins as (
    select
        completed.*,
        coalesce(sum(completed_value) over (
            partition by as_of_index, target, measure, area_type, area
            order by origin_index
            rows between 1 following and unbounded following
        ), 0) as younger_completed
    from completed
    where
        measure in ('services', 'spending_eur', 'users_new')
        and origin_index >= year_start_index
),

year_to_date as (
    select
        as_of_index,
        target,
        'year_to_date' as period,
        min(year_start_index) as period_start_index,
        case when measure = 'users_new' then 'users' else measure end as measure,
        area_type,
        area,
        sum(observed_value) as observed_value,
        sum(observed_units) as observed_units,
        sum(completed_value) as completed_value,
        sum(mse + 2 * completed_value * younger_completed * parameter_term) as mse,
        {{ dbt.bool_or('uses_pooled_factor') }} as uses_pooled_factor
    from year_origins
    group by as_of_index, target, measure, area_type, area
),

-- least-squares line y = a + b t over the trend window, t = origin - as-of month (-n+1..0)
{{ nowcast_trend_ctes(trend_months, damping) }},

-- month and year to date take the normal quantile, the year end Student's t (the trend's fit)
quantified as (
    select
        months.*,
        cast({{ z }} as {{ type_double() }}) as quantile
    from months
    union all
    select
        year_to_date.*,
        cast({{ z }} as {{ type_double() }}) as quantile
    from year_to_date
    union all
    select
        year_end.*,
        cast({{ t_quantile }} as {{ type_double() }}) as quantile
    from year_end
),

intervals as (
    select
        as_of_index,
        target,
        period,
        period_start_index,
        measure,
        area_type,
        area,
        observed_value,
        observed_units,
        completed_value,
        sqrt(mse) as standard_error,
        greatest(completed_value - quantile * sqrt(mse), observed_value) as ci_low,
        completed_value + quantile * sqrt(mse) as ci_high,
        uses_pooled_factor
    from quantified
)

select
    cast(as_of_index as {{ dbt.type_int() }}) as as_of_index,
    cast(target as {{ dbt.type_string() }}) as target,
    cast(period as {{ dbt.type_string() }}) as period,
    cast(period_start_index as {{ dbt.type_int() }}) as period_start_index,
    cast(measure as {{ dbt.type_string() }}) as measure,
    cast(area_type as {{ dbt.type_string() }}) as area_type,
    cast(area as {{ dbt.type_string() }}) as area,
    cast(observed_value as {{ type_double() }}) as observed_value,
    cast(observed_units as {{ dbt.type_bigint() }}) as observed_units,
    cast(completed_value as {{ type_double() }}) as completed_value,
    cast(standard_error as {{ type_double() }}) as standard_error,
    cast(ci_low as {{ type_double() }}) as ci_low,
    cast(ci_high as {{ type_double() }}) as ci_high,
    cast(uses_pooled_factor as {{ dbt.type_boolean() }}) as uses_pooled_factor
from intervals
