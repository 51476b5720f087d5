-- ELP services (sessions and trajectory services; corrections already netted in stg_claims) per
-- member-year, provider, network type, function and setting, with the member-year's province
-- and weight joined once. The heavy event stream is read once, here; the supply marts read only
-- this much smaller table.
with

elp_events as (
    select
        member_id,
        year,
        provider_id,
        elp_network_type as network_type,
        elp_function,
        elp_setting,
        sum(quantity) as services,
        sum(amount_insurance_eur) as amount_insurance_eur
    from {{ ref('int_elp_user_events') }}
    where
        {{ elp_service_condition() }}
        and year between {{ var('elp_start_year') }} and {{ var('last_year') }}
    group by member_id, year, provider_id, elp_network_type, elp_function, elp_setting
),

member_years as (
    select
        member_id,
        year,
        province_code,
        weighting_group,
        group_population,
        group_members,
        expansion_factor
    from {{ ref('int_elp_user_years') }}
)

-- inner join: a service is extrapolated through its member-year's weight, so a service of a
-- member with no member-year row that year (not affiliated) cannot be weighted and is left out
select
    elp_events.year,
    elp_events.member_id,
    elp_events.provider_id,
    elp_events.network_type,
    elp_events.elp_function,
    elp_events.elp_setting,
    member_years.province_code,
    member_years.weighting_group,
    member_years.group_population,
    member_years.group_members,
    member_years.expansion_factor,
    elp_events.services,
    elp_events.amount_insurance_eur
from elp_events
inner join member_years
    on
        elp_events.member_id = member_years.member_id
        and elp_events.year = member_years.year
