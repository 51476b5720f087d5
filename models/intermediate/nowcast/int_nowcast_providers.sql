-- Providers behind the nowcast's cells: per as-of month end, period (month: each of the last
-- 12 months up to the as-of month; year_to_date: January to the as-of month) and area, the
-- providers with at least one line of the period booked by the as-of date. The services and
-- spending of a cell are these providers' activity, so the publisher suppresses them when
-- fewer than min_cell_size providers are seen, as mart_elp_province_overview does
-- (publish/published_marts.yml). The lines are int_nowcast_units' (int_nowcast_area_lines).
with

area_lines as (
    select * from {{ ref('int_nowcast_area_lines') }}
    where provider_id is not null
),

-- a provider is seen in a month (a year) from the booking month of its first line there
provider_months as (
    select
        area_type,
        area,
        provider_id,
        origin_index,
        min(booking_index) as seen_index
    from area_lines
    group by area_type, area, provider_id, origin_index
),

provider_years as (
    select
        area_type,
        area,
        provider_id,
        year,
        min(booking_index) as seen_index
    from area_lines
    group by area_type, area, provider_id, year
),

as_of_dates as (
    select as_of_index from {{ ref('int_nowcast_as_of_dates') }}
),

counts as (
    select
        as_of_dates.as_of_index,
        'month' as period,
        provider_months.origin_index as period_start_index,
        provider_months.area_type,
        provider_months.area,
        count(*) as providers_observed
    from as_of_dates
    inner join provider_months
        on
            as_of_dates.as_of_index - 12 < provider_months.origin_index
            and as_of_dates.as_of_index >= provider_months.seen_index
    group by
        as_of_dates.as_of_index, provider_months.origin_index, provider_months.area_type,
        provider_months.area
    union all
    select
        as_of_dates.as_of_index,
        'year_to_date' as period,
        provider_years.year * 12 as period_start_index,
        provider_years.area_type,
        provider_years.area,
        count(*) as providers_observed
    from as_of_dates
    inner join provider_years
        on
            as_of_dates.as_of_index >= provider_years.year * 12
            and as_of_dates.as_of_index < provider_years.year * 12 + 12
            and as_of_dates.as_of_index >= provider_years.seen_index
    group by as_of_dates.as_of_index, provider_years.year, provider_years.area_type, provider_years.area
)

select
    cast(as_of_index as {{ dbt.type_int() }}) as as_of_index,
    cast(period as {{ dbt.type_string() }}) as period,
    cast(period_start_index as {{ dbt.type_int() }}) as period_start_index,
    cast(area_type as {{ dbt.type_string() }}) as area_type,
    cast(area as {{ dbt.type_string() }}) as area,
    cast(providers_observed as {{ dbt.type_bigint() }}) as providers_observed
from counts
