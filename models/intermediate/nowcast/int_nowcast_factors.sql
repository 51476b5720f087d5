-- Chain-ladder development factors as seen at each as-of month D (int_nowcast_as_of_dates),
-- per measure and area: f_k = sum C(i, k+1) / sum C(i, k) over the origins i whose cell
-- (i, k+1) was booked by D (i + k + 1 <= D), with Mack's (1993) variance parameter
-- sigma2_k = sum C(i, k) (C(i, k+1) / C(i, k) - f_k)^2 / (n_k - 1). Where n_k < 2, sigma2_k
-- is extrapolated as Mack proposes: min(sigma2_(k-1), sigma2_(k-2), sigma2_(k-1)^2 /
-- sigma2_(k-2)). A delay no origin has reached yet develops by 1 (no tail).
-- A province or network type takes its own factor at a delay when the cells behind it hold at
-- least var nowcast_min_factor_units services (persons for the user measures); otherwise the
-- national factor, variance and base (pooled). log_cumulative_factor at delay k is the sum of
-- ln f_j over j < k, so a cell at delay a develops to delay b by exp(L(b) - L(a)).
{%- set max_delay = strict_int_var('nowcast_max_delay_months') %}
with

as_of_dates as (
    select as_of_index from {{ ref('int_nowcast_as_of_dates') }}
),

triangle as (
    select * from {{ ref('int_nowcast_triangle') }}
),

{{ chain_ladder_own_factor_ctes() }},

areas as (
    select distinct
        measure,
        area_type,
        area
    from triangle
),

delays as (
    {{ integer_series(0, max_delay, 'delay_months') }}
),

grid as (
    select
        as_of_dates.as_of_index,
        areas.measure,
        areas.area_type,
        areas.area,
        delays.delay_months
    from as_of_dates
    cross join areas
    cross join delays
),

chosen as (
    select
        grid.as_of_index,
        grid.measure,
        grid.area_type,
        grid.area,
        grid.delay_months,
        coalesce(own.base_units, 0) >= {{ strict_int_var('nowcast_min_factor_units') }}
        or grid.area_type = 'total' as uses_own,
        own.factor as own_factor,
        own.sigma2 as own_sigma2,
        own.base_value as own_base,
        national.factor as national_factor,
        national.sigma2 as national_sigma2,
        national.base_value as national_base
    from grid
    left join own_variances as own
        on
            grid.as_of_index = own.as_of_index
            and grid.measure = own.measure
            and grid.area_type = own.area_type
            and grid.area = own.area
            and grid.delay_months = own.delay_months
    left join own_variances as national
        on
            grid.as_of_index = national.as_of_index
            and grid.measure = national.measure
            and national.area_type = 'total'
            and grid.delay_months = national.delay_months
),

picked as (
    select
        as_of_index,
        measure,
        area_type,
        area,
        delay_months,
        not uses_own as is_pooled,
        -- the last delay has no next cell: it ends the development
        case
            when delay_months = {{ max_delay }} then 1
            else coalesce(case when uses_own then own_factor else national_factor end, 1)
        end as development_factor,
        case
            when delay_months = {{ max_delay }} then 0
            when uses_own then own_sigma2
            else national_sigma2
        end as sigma2_estimated,
        case
            when delay_months = {{ max_delay }} then 0
            when (case when uses_own then own_factor else national_factor end) is null then 0
        end as sigma2_none,
        coalesce(case when uses_own then own_base else national_base end, 0) as factor_base
    from chosen
),

lagged as (
    select
        picked.*,
        lag(sigma2_estimated, 1) over (
            partition by as_of_index, measure, area_type, area order by delay_months
        ) as sigma2_previous,
        lag(sigma2_estimated, 2) over (
            partition by as_of_index, measure, area_type, area order by delay_months
        ) as sigma2_before_previous
    from picked
)

select
    cast(as_of_index as {{ dbt.type_int() }}) as as_of_index,
    cast(measure as {{ dbt.type_string() }}) as measure,
    cast(area_type as {{ dbt.type_string() }}) as area_type,
    cast(area as {{ dbt.type_string() }}) as area,
    cast(delay_months as {{ dbt.type_int() }}) as delay_months,
    cast(is_pooled as {{ dbt.type_boolean() }}) as is_pooled,
    cast(development_factor as {{ type_double() }}) as development_factor,
    cast(coalesce(
        sigma2_none,
        sigma2_estimated,
        case
            when sigma2_previous is not null and sigma2_before_previous > 0
                then least(
                        sigma2_previous, sigma2_before_previous,
                        sigma2_previous * sigma2_previous / sigma2_before_previous
                    )
        end,
        sigma2_previous,
        0
    ) as {{ type_double() }}) as sigma2,
    cast(factor_base as {{ type_double() }}) as factor_base,
    cast(coalesce(sum(ln(case when development_factor > 0 then development_factor else 1 end)) over (
        partition by as_of_index, measure, area_type, area
        order by delay_months
        rows between unbounded preceding and 1 preceding
    ), 0) as {{ type_double() }}) as log_cumulative_factor
from lagged
