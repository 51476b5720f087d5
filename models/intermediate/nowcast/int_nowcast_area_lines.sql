-- The ELP service lines the nowcast counts, once per area they count in: Belgium, the
-- member-year's province and the line's network type. A line needs a member-year to be
-- weighted (as in int_elp_member_services) and is taken as booked by the extraction.
-- int_nowcast_units builds the triangles from them, int_nowcast_providers the provider counts.
{{ config(materialized='view') }}

with

lines as (
    select
        claims.member_id,
        claims.provider_id,
        claims.service_date,
        claims.first_booking_date as booking_date,
        claims.quantity,
        claims.amount_insurance_eur,
        claims.elp_network_type as network_type,
        user_years.year,
        user_years.province_code,
        user_years.expansion_factor,
        {{ month_index('claims.service_date') }} as origin_index,
        {{ month_index('claims.first_booking_date') }} as booking_index
    from {{ ref('int_claims_netted') }} as claims
    inner join {{ ref('int_elp_user_years') }} as user_years
        on
            claims.member_id = user_years.member_id
            and extract(year from claims.service_date) = user_years.year
    where
        {{ elp_service_condition() }}
        and claims.first_booking_date <= {{ extraction_date_literal() }}
)

select
    'total' as area_type,
    'belgium' as area,
    lines.*
from lines
union all
select
    'province' as area_type,
    province_code as area,
    lines.*
from lines
union all
select
    'network_type' as area_type,
    network_type as area,
    lines.*
from lines
where network_type is not null
