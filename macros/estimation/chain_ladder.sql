{% macro month_index(date_expr) -%}
    {#- Months since year 0 (January 2024 = 24288): delays and as-of cuts are whole-month
        differences, computed the same way on every engine. -#}
    cast(extract(year from {{ date_expr }}) * 12 + extract(month from {{ date_expr }}) - 1
        as {{ dbt.type_int() }})
{%- endmacro %}

{% macro month_start_of_index(index) -%}
    {#- The first day of the month with index `index` (a Jinja integer): a date literal. -#}
    {{ return("cast('%04d-%02d-01' as date)" % (index // 12, index % 12 + 1)) }}
{%- endmacro %}

{% macro month_end_of_index(index) -%}
    {%- set year = index // 12 -%}
    {%- set month = index % 12 + 1 -%}
    {%- set leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 -%}
    {%- set days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] -%}
    {{ return("cast('%04d-%02d-%02d' as date)" % (year, month, days)) }}
{%- endmacro %}

{% macro date_var_month_index(var_name) -%}
    {%- set text = strict_date_var(var_name) -%}
    {{ return((text[0:4] | int) * 12 + (text[5:7] | int) - 1) }}
{%- endmacro %}

{% macro nowcast_as_of_index() -%}
    {#- Month index of the published nowcast's as-of month end (var nowcast_as_of; see
        dbt_project.yml for the empty default). A given date must be a month end: the triangle
        cuts bookings by whole months. -#}
    {%- set text = var('nowcast_as_of') | string -%}
    {%- if text | trim == '' -%}
        {%- set extraction = strict_date_var('extraction_date') -%}
        {%- set e_index = date_var_month_index('extraction_date') -%}
        {%- set index = e_index if month_end_of_index(e_index) == "cast('" ~ extraction ~ "' as date)"
            else e_index - 1 -%}
        {%- set last_index = strict_int_var('last_year') * 12 + 11 -%}
        {%- if index > last_index -%}
            {%- set index = strict_int_var('last_year') * 12 + 5 -%}
        {%- endif -%}
        {{ return(index) }}
    {%- endif -%}
    {%- set index = date_var_month_index('nowcast_as_of') -%}
    {%- if month_end_of_index(index) != "cast('" ~ strict_date_var('nowcast_as_of') ~ "' as date)" -%}
        {{ exceptions.raise_compiler_error(
            "var nowcast_as_of must be the last day of a month, got '" ~ text ~ "'") }}
    {%- endif -%}
    {%- if index > date_var_month_index('extraction_date') -%}
        {{ exceptions.raise_compiler_error(
            "var nowcast_as_of (" ~ text ~ ") lies after the extraction date") }}
    {%- endif -%}
    {{ return(index) }}
{%- endmacro %}

{% macro integer_series(low, high, name='n') -%}
    {#- The integers low..high as a one-column query (portable: no generate_series). -#}
    {%- for i in range(low, high + 1) %}
    select {{ i }} as {{ name }}{% if not loop.last %} union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{% macro t_quantile_975(df) -%}
    {#- Student's t 97.5 % quantile for `df` degrees of freedom (a Jinja integer); the normal
        quantile beyond 30. Values from any t table (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2). -#}
    {%- set table = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365,
        8: 2.306, 9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131,
        16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074,
        23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045,
        30: 2.042} -%}
    {%- if df < 1 -%}
        {{ exceptions.raise_compiler_error("t_quantile_975 needs at least one degree of freedom") }}
    {%- endif -%}
    {{ return(table.get(df, 1.96)) }}
{%- endmacro %}

{% macro month_index_dates(low, high) -%}
    {#- (month_index, month_start, month_end) for the month indices low..high, as literals. -#}
    {%- for i in range(low, high + 1) %}
    select
        {{ i }} as month_index,
        {{ month_start_of_index(i) }} as month_start,
        {{ month_end_of_index(i) }} as month_end
    {%- if not loop.last %}
    union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{% macro nowcast_trend_damping() -%}
    {#- var nowcast_trend_damping as a number in [0, 1]; anything else stops the build. -#}
    {%- set text = var('nowcast_trend_damping') | string -%}
    {%- if not modules.re.fullmatch('(0(\\.[0-9]+)?|1(\\.0+)?)', text) -%}
        {{ exceptions.raise_compiler_error(
            "var nowcast_trend_damping must be a number from 0 to 1, got '" ~ text ~ "'") }}
    {%- endif -%}
    {{ return(text | float) }}
{%- endmacro %}

{% macro damped_trend_sum(months_left_expr, damping) -%}
    {#- sum over h = 1..H of D_h = damping + damping^2 + ... + damping^h, for H = months_left_expr
        (0..11, an SQL expression): what the slope is multiplied by in the sum of the months to
        come under a damped trend (Gardner and McKenzie 1985). A CASE over the 12 possible
        values, computed here, so that no engine's power() is needed. -#}
    {%- set ns = namespace(d=0.0, total=0.0, cases=[]) -%}
    {%- for h in range(1, 12) -%}
        {%- set ns.d = ns.d + damping ** h -%}
        {%- set ns.total = ns.total + ns.d -%}
        {%- set ns.cases = ns.cases + ["when " ~ h ~ " then " ~ ns.total] -%}
    {%- endfor -%}
    case {{ months_left_expr }} {{ ns.cases | join(' ') }} else 0 end
{%- endmacro %}

{% macro nowcast_trend_ctes(trend_months, damping) -%}
{#- CTEs trend_sums, trend_lines, trend_fits, future and year_end over CTEs named `completed`
    (int_nowcast_completed rows) and `year_to_date`: the least-squares line over the last
    trend_months completed months of services and spending, its damped projection of the
    months to come and their prediction variance, added to the year to date
    (int_nowcast_estimates, docs/nowcast.md). -#}
{%- if damping < 0 or damping > 1 -%}
    {{ exceptions.raise_compiler_error("nowcast_trend_damping must lie in [0, 1], got " ~ damping) }}
{%- endif %}
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
        sum_y / n - coalesce(slope, 0) * sum_t / n as intercept,
        {{ damped_trend_sum('months_left', damping) }} as damped_sum
    from trend_lines
),

-- month h ahead: intercept + slope (damping + ... + damping^h); intercept is the line's value
-- at the as-of month (t = 0)
future as (
    select
        as_of_index,
        target,
        measure,
        area_type,
        area,
        months_left,
        greatest(months_left * intercept + coalesce(slope, 0) * damped_sum, 0) as future_value,
        -- the line's prediction variance, the months' errors fully correlated: residual
        -- s^2 = SSE / (n - 2) (SSE = sum y^2 - a sum y - b sum t y) times
        -- H^2 + H^2 / n + (damped_sum - H mean t)^2 / Sxx ...
        greatest(sum_yy - intercept * sum_y - coalesce(slope, 0) * sum_ty, 0) / (n - 2)
        * (
            months_left * months_left
            + 1.0 * months_left * months_left / n
            + case
                when sxx > 0
                    then (damped_sum - months_left * sum_t / n)
                        * (damped_sum - months_left * sum_t / n) / sxx
                else 0
            end
        )
        -- ... plus the gap between the straight line (growth goes on) and flat (growth stops
        -- now), slope x H (H + 1) / 2, squared: the series cannot tell which holds, and the
        -- damped projection lies between them (the width does not depend on the damping)
        + (coalesce(slope, 0) * months_left * (months_left + 1) / 2.0)
        * (coalesce(slope, 0) * months_left * (months_left + 1) / 2.0) as future_variance
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
)
{%- endmacro %}

{% macro mack_step_ctes() -%}
{#- CTEs steps and step_sums over CTEs named `developed` and `factors` (int_nowcast_completed):
    per origin, the sums over the delays still to develop of Mack's mean squared error terms. -#}
steps as (
    select
        developed.as_of_index,
        developed.target,
        developed.measure,
        developed.area_type,
        developed.area,
        developed.origin_index,
        factors.sigma2 / (factors.development_factor * factors.development_factor) as relative_variance,
        developed.observed_value
        * exp(factors.log_cumulative_factor - developed.latest_log_factor) as value_at_delay,
        factors.factor_base,
        factors.is_pooled
    from developed
    inner join factors
        on
            developed.as_of_index = factors.as_of_index
            and developed.measure = factors.measure
            and developed.area_type = factors.area_type
            and developed.area = factors.area
            and developed.latest_delay <= factors.delay_months
            and developed.target_delay > factors.delay_months
    where factors.development_factor > 0
),

step_sums as (
    select
        as_of_index,
        target,
        measure,
        area_type,
        area,
        origin_index,
        sum(
            relative_variance * (
                case when value_at_delay > 0 then 1 / value_at_delay else 0 end
                + case when factor_base > 0 then 1 / factor_base else 0 end
            )
        ) as mse_term,
        sum(case when factor_base > 0 then relative_variance / factor_base else 0 end)
            as parameter_term,
        {{ dbt.bool_or('is_pooled') }} as uses_pooled_factor
    from steps
    group by as_of_index, target, measure, area_type, area, origin_index
)
{%- endmacro %}

{% macro chain_ladder_own_factor_ctes() -%}
{#- CTEs pairs, sums, own_factors and own_variances over CTEs named `triangle` and
    `as_of_dates` (int_nowcast_factors): each area's own chain-ladder factor and Mack variance
    per as-of month and delay. -#}
pairs as (
    select
        as_of_dates.as_of_index,
        known.measure,
        known.area_type,
        known.area,
        known.delay_months,
        known.cumulative_value as value_now,
        next_cell.cumulative_value as value_next,
        known.cumulative_units as units_now
    from triangle as known
    inner join triangle as next_cell
        on
            known.measure = next_cell.measure
            and known.area_type = next_cell.area_type
            and known.area = next_cell.area
            and known.origin_index = next_cell.origin_index
            and known.delay_months + 1 = next_cell.delay_months
    inner join as_of_dates
        on next_cell.origin_index + next_cell.delay_months <= as_of_dates.as_of_index
),

sums as (
    select
        as_of_index,
        measure,
        area_type,
        area,
        delay_months,
        sum(value_now) as base_value,
        sum(value_next) as next_value,
        sum(units_now) as base_units,
        sum(case when value_now > 0 then 1 else 0 end) as origins_used
    from pairs
    group by as_of_index, measure, area_type, area, delay_months
),

own_factors as (
    select
        sums.*,
        case when base_value > 0 then next_value / base_value else 1 end as factor
    from sums
),

own_variances as (
    select
        own_factors.as_of_index,
        own_factors.measure,
        own_factors.area_type,
        own_factors.area,
        own_factors.delay_months,
        own_factors.base_value,
        own_factors.base_units,
        own_factors.origins_used,
        own_factors.factor,
        case
            when own_factors.origins_used >= 2
                then sum(
                        case
                            when pairs.value_now > 0
                                then pairs.value_now
                                    * (pairs.value_next / pairs.value_now - own_factors.factor)
                                    * (pairs.value_next / pairs.value_now - own_factors.factor)
                            else 0
                        end
                    ) / (own_factors.origins_used - 1)
        end as sigma2
    from own_factors
    inner join pairs
        on
            own_factors.as_of_index = pairs.as_of_index
            and own_factors.measure = pairs.measure
            and own_factors.area_type = pairs.area_type
            and own_factors.area = pairs.area
            and own_factors.delay_months = pairs.delay_months
    group by
        own_factors.as_of_index, own_factors.measure, own_factors.area_type, own_factors.area,
        own_factors.delay_months, own_factors.base_value, own_factors.base_units,
        own_factors.origins_used, own_factors.factor
)
{%- endmacro %}
