-- Nowcast estimates with 95 % prediction intervals, per as-of month, target (ultimate or
-- extraction, int_nowcast_completed), measure and area, for three periods:
--   month: each of the last 12 months up to the as-of month;
--   year_to_date: January to the as-of month (users: persons first seen in the year, measure
--     users_new, so a person counts once);
--   year_end: the year to date plus the months still to come (services and spending only),
--     projected with a straight-line trend fitted by least squares on the last
--     nowcast_trend_months completed months.
-- Intervals. Month and year to date: Mack's mean squared error of the completion (the year to
-- date adds the covariance 2 C^_i C^_j parameter_term_i of each older origin i with each
-- younger j) and a normal interval cut at what is booked (the value cannot fall below it).
-- A log-normal interval for the part not yet booked was tried and rejected: when little is
-- left to book its skew puts the upper bound near the mean (backtest coverage of province
-- months 6-11 months old: 5-47 %; docs/nowcast.md). Year end: the completion's mean squared
-- error plus the trend's prediction variance s^2 (H^2 + H^2 / n + (sum_h (h - mean t))^2 / Sxx) for the sum
-- of the H future months: the months' own errors are taken as fully correlated (H^2 s^2, not
-- H s^2), because a straight line misses a growth that speeds up or slows down in the same
-- direction every month (backtest coverage of the year end: 60-67 % with H s^2, 69-82 % with
-- H^2 s^2; docs/nowcast.md). A normal interval with Student's t (n - 2 degrees of freedom).
{%- set trend_months = strict_int_var('nowcast_trend_months') %}
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
trend_sums as (
    select
        as_of_index,
        target,
        measure,
        area_type,
        area,
        count(*) as n,
        sum(origin_index - as_of_index) as sum_t,
        sum(cast(origin_index - as_of_index as {{ type_double() }}) * (origin_index - as_of_index))
            as sum_tt,
        sum(completed_value) as sum_y,
        sum(completed_value * completed_value) as sum_yy,
        sum(completed_value * (origin_index - as_of_index)) as sum_ty
    from completed
    where
        measure in ('services', 'spending_eur')
        and origin_index > as_of_index - {{ trend_months }}
    group by as_of_index, target, measure, area_type, area
),

trend_lines as (
    select
        trend_sums.*,
        sum_tt - sum_t * sum_t / n as sxx,
        (sum_ty - sum_t * sum_y / n) / nullif(sum_tt - sum_t * sum_t / n, 0) as slope,
        -- months after the as-of month until December
        11 - (as_of_index - cast(floor(as_of_index / 12.0) * 12 as {{ dbt.type_int() }}))
            as months_left
    from trend_sums
),

trend_fits as (
    select
        trend_lines.*,
        sum_y / n - coalesce(slope, 0) * sum_t / n as intercept
    from trend_lines
),

future as (
    select
        as_of_index,
        target,
        measure,
        area_type,
        area,
        months_left,
        greatest(
            months_left * intercept + coalesce(slope, 0) * months_left * (months_left + 1) / 2.0, 0
        ) as future_value,
        -- residual variance s^2 = SSE / (n - 2), SSE = sum y^2 - a sum y - b sum t y
        greatest(sum_yy - intercept * sum_y - coalesce(slope, 0) * sum_ty, 0) / (n - 2)
        * (
            months_left * months_left
            + 1.0 * months_left * months_left / n
            + case
                when sxx > 0
                    then (months_left * (months_left + 1) / 2.0 - months_left * sum_t / n)
                        * (months_left * (months_left + 1) / 2.0 - months_left * sum_t / n) / sxx
                else 0
            end
        ) as future_variance
    from trend_fits
    where n = {{ trend_months }}
),

year_end as (
    select
        year_to_date.as_of_index,
        year_to_date.target,
        'year_end' as period,
        year_to_date.period_start_index,
        year_to_date.measure,
        year_to_date.area_type,
        year_to_date.area,
        year_to_date.observed_value,
        year_to_date.observed_units,
        year_to_date.completed_value + future.future_value as completed_value,
        year_to_date.mse + future.future_variance as mse,
        year_to_date.uses_pooled_factor
    from year_to_date
    inner join future
        on
            year_to_date.as_of_index = future.as_of_index
            and year_to_date.target = future.target
            and year_to_date.measure = future.measure
            and year_to_date.area_type = future.area_type
            and year_to_date.area = future.area
),

completions as (
    select * from months
    union all
    select * from year_to_date
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
        greatest(completed_value - {{ z }} * sqrt(mse), observed_value) as ci_low,
        completed_value + {{ z }} * sqrt(mse) as ci_high,
        uses_pooled_factor
    from completions
    union all
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
        greatest(completed_value - {{ t_quantile }} * sqrt(mse), observed_value) as ci_low,
        completed_value + {{ t_quantile }} * sqrt(mse) as ci_high,
        uses_pooled_factor
    from year_end
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
