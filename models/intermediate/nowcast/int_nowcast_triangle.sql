-- Cumulative run-off triangles as booked by the extraction: per measure, area and origin month
-- (elp_start_year to last_year), the weighted value and units booked within 0, 1, ...,
-- nowcast_max_delay_months months, every cell present (zero when nothing was booked). A cell
-- (origin i, delay k) is known at an as-of month D when i + k <= D, so the triangle as seen at
-- any earlier as-of date is a part of this one (int_nowcast_factors).
{%- set max_delay = strict_int_var('nowcast_max_delay_months') %}
{%- set first_origin = strict_int_var('elp_start_year') * 12 %}
{%- set last_origin = strict_int_var('last_year') * 12 + 11 %}
{%- set extraction_index = date_var_month_index('extraction_date') %}
with

areas as (
    select distinct
        measure,
        area_type,
        area
    from {{ ref('int_nowcast_units') }}
),

origins as (
    {{ integer_series(first_origin, last_origin, 'origin_index') }}
),

delays as (
    {{ integer_series(0, max_delay, 'delay_months') }}
),

grid as (
    select
        areas.measure,
        areas.area_type,
        areas.area,
        origins.origin_index,
        delays.delay_months
    from areas
    cross join origins
    cross join delays
    where origins.origin_index + delays.delay_months <= {{ extraction_index }}
),

increments as (
    select
        grid.measure,
        grid.area_type,
        grid.area,
        grid.origin_index,
        grid.delay_months,
        coalesce(units.value, 0) as value,
        coalesce(units.units, 0) as units
    from grid
    left join {{ ref('int_nowcast_units') }} as units
        on
            grid.measure = units.measure
            and grid.area_type = units.area_type
            and grid.area = units.area
            and grid.origin_index = units.origin_index
            and grid.delay_months = units.delay_months
)

select
    measure,
    area_type,
    area,
    origin_index,
    delay_months,
    cast(sum(value) over (
        partition by measure, area_type, area, origin_index
        order by delay_months
        rows between unbounded preceding and current row
    ) as {{ type_double() }}) as cumulative_value,
    cast(sum(units) over (
        partition by measure, area_type, area, origin_index
        order by delay_months
        rows between unbounded preceding and current row
    ) as {{ dbt.type_bigint() }}) as cumulative_units
from increments
