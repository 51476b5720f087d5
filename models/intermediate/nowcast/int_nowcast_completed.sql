-- Completed values of the recent origin months at each as-of month D, per measure and area,
-- with Mack's (1993) mean squared error. An origin i seen at D has reached delay
-- I = min(D - i, max delay); its value develops to a target delay T:
--   ultimate (the published nowcast): T = nowcast_max_delay_months;
--   extraction (the backtest): T = min(max delay, extraction month - i), i.e. to what the
--   extraction holds, so that the projection is scored against a value of the same kind.
-- completed = C(i, I) x f_I x ... x f_(T-1);
-- mse = completed^2 x sum over k = I..T-1 of sigma2_k / f_k^2 x (1 / C^(i, k) + 1 / S_k)
-- (process and estimation error; C^(i, k) the cell developed to delay k, S_k the factor's
-- base). parameter_term = sum of sigma2_k / f_k^2 / S_k over the same delays: the shared
-- estimation error that makes two origins' completions covary (int_nowcast_estimates).
-- Origins: the last max(12, nowcast_trend_months) months up to D.
{%- set max_delay = strict_int_var('nowcast_max_delay_months') %}
{%- set window = [12, strict_int_var('nowcast_trend_months')] | max %}
with

as_of_targets as (
    select
        as_of_index,
        extraction_index,
        'ultimate' as target
    from {{ ref('int_nowcast_as_of_dates') }}
    where is_published
    union all
    select
        as_of_index,
        extraction_index,
        'extraction' as target
    from {{ ref('int_nowcast_as_of_dates') }}
    where in_backtest
),

triangle as (
    select * from {{ ref('int_nowcast_triangle') }}
),

factors as (
    select * from {{ ref('int_nowcast_factors') }}
),

seen as (
    select
        as_of_targets.as_of_index,
        as_of_targets.target,
        triangle.measure,
        triangle.area_type,
        triangle.area,
        triangle.origin_index,
        triangle.delay_months as latest_delay,
        case
            when as_of_targets.target = 'ultimate' then {{ max_delay }}
            else least({{ max_delay }}, as_of_targets.extraction_index - triangle.origin_index)
        end as target_delay,
        triangle.cumulative_value as observed_value,
        triangle.cumulative_units as observed_units
    from as_of_targets
    inner join triangle
        on
            triangle.origin_index between as_of_targets.as_of_index - {{ window - 1 }}
            and as_of_targets.as_of_index
            and triangle.delay_months
            = least(as_of_targets.as_of_index - triangle.origin_index, {{ max_delay }})
),

developed as (
    select
        seen.*,
        seen.observed_value
        * exp(at_target.log_cumulative_factor - at_latest.log_cumulative_factor) as completed_value,
        at_latest.log_cumulative_factor as latest_log_factor
    from seen
    inner join factors as at_latest
        on
            seen.as_of_index = at_latest.as_of_index
            and seen.measure = at_latest.measure
            and seen.area_type = at_latest.area_type
            and seen.area = at_latest.area
            and seen.latest_delay = at_latest.delay_months
    inner join factors as at_target
        on
            seen.as_of_index = at_target.as_of_index
            and seen.measure = at_target.measure
            and seen.area_type = at_target.area_type
            and seen.area = at_target.area
            and seen.target_delay = at_target.delay_months
),

-- one row per origin and delay still to develop (I <= k < T)
{{ mack_step_ctes() }}

select
    cast(developed.as_of_index as {{ dbt.type_int() }}) as as_of_index,
    cast(developed.target as {{ dbt.type_string() }}) as target,
    cast(developed.measure as {{ dbt.type_string() }}) as measure,
    cast(developed.area_type as {{ dbt.type_string() }}) as area_type,
    cast(developed.area as {{ dbt.type_string() }}) as area,
    cast(developed.origin_index as {{ dbt.type_int() }}) as origin_index,
    cast(developed.latest_delay as {{ dbt.type_int() }}) as latest_delay,
    cast(developed.target_delay as {{ dbt.type_int() }}) as target_delay,
    cast(developed.observed_value as {{ type_double() }}) as observed_value,
    cast(developed.observed_units as {{ dbt.type_bigint() }}) as observed_units,
    cast(developed.completed_value as {{ type_double() }}) as completed_value,
    cast(
        developed.completed_value * developed.completed_value * coalesce(step_sums.mse_term, 0)
        as {{ type_double() }}
    ) as mse,
    cast(coalesce(step_sums.parameter_term, 0) as {{ type_double() }}) as parameter_term,
    cast(coalesce(step_sums.uses_pooled_factor, false) as {{ dbt.type_boolean() }})
        as uses_pooled_factor
from developed
left join step_sums
    on
        developed.as_of_index = step_sums.as_of_index
        and developed.target = step_sums.target
        and developed.measure = step_sums.measure
        and developed.area_type = step_sums.area_type
        and developed.area = step_sums.area
        and developed.origin_index = step_sums.origin_index
