-- The increments of the ELP run-off triangles: per measure, area, origin month and booking
-- delay (whole months), the weighted value booked and the units behind it. One row per cell
-- that received bookings; int_nowcast_triangle fills the empty cells and accumulates.
--   services, spending: origin = service month, delay = booking month - service month.
--   users: a member-month is seen when the first line of that month is booked.
--   users_new: a member-year is seen when its first line of the year is booked; its origin is
--     the service month of that first-booked line, so a member's place in the triangle never
--     changes once seen (the year-to-date users add these up).
-- Values are weighted with the member-year's expansion factor, as the supply marts do
-- (the lines: int_nowcast_area_lines).
with

area_lines as (
    select * from {{ ref('int_nowcast_area_lines') }}
),

member_months as (
    select
        area_type,
        area,
        member_id,
        origin_index,
        min(booking_index) as booking_index,
        max(expansion_factor) as expansion_factor
    from area_lines
    group by area_type, area, member_id, origin_index
),

ranked_member_year_lines as (
    select
        area_type,
        area,
        member_id,
        origin_index,
        booking_index,
        expansion_factor,
        row_number() over (
            partition by area_type, area, member_id, year
            order by booking_date, service_date
        ) as booking_order
    from area_lines
),

increments as (
    select
        'services' as measure,
        area_type,
        area,
        origin_index,
        booking_index - origin_index as delay_months,
        sum(quantity * expansion_factor) as value,
        sum(quantity) as units
    from area_lines
    group by area_type, area, origin_index, booking_index
    union all
    select
        'spending_eur' as measure,
        area_type,
        area,
        origin_index,
        booking_index - origin_index as delay_months,
        sum(amount_insurance_eur * expansion_factor) as value,
        sum(quantity) as units
    from area_lines
    group by area_type, area, origin_index, booking_index
    union all
    select
        'users' as measure,
        area_type,
        area,
        origin_index,
        booking_index - origin_index as delay_months,
        sum(expansion_factor) as value,
        count(*) as units
    from member_months
    group by area_type, area, origin_index, booking_index
    union all
    select
        'users_new' as measure,
        area_type,
        area,
        origin_index,
        booking_index - origin_index as delay_months,
        sum(expansion_factor) as value,
        count(*) as units
    from ranked_member_year_lines
    where booking_order = 1
    group by area_type, area, origin_index, booking_index
)

select
    cast(measure as {{ dbt.type_string() }}) as measure,
    cast(area_type as {{ dbt.type_string() }}) as area_type,
    cast(area as {{ dbt.type_string() }}) as area,
    cast(origin_index as {{ dbt.type_int() }}) as origin_index,
    cast(delay_months as {{ dbt.type_int() }}) as delay_months,
    cast(value as {{ type_double() }}) as value,
    cast(units as {{ dbt.type_bigint() }}) as units
from increments
