-- The member-years of int_member_years (attributes, weighting group, expansion factor) in
-- which the member used ELP, elp_start_year to last_year: the few hundred thousand rows the
-- trajectory, supply and user models join, instead of each scanning the 68 M member-years.
with

elp_user_years as (
    select distinct
        member_id,
        year
    from {{ ref('int_elp_user_events') }}
    where
        {{ elp_service_condition() }}
        and year between {{ var('elp_start_year') }} and {{ var('last_year') }}
)

select
    member_years.member_id,
    member_years.year,
    member_years.birth_year,
    member_years.age,
    member_years.age_band,
    member_years.age_group,
    member_years.sex,
    member_years.vt,
    member_years.province_code,
    member_years.region,
    member_years.socio_professional,
    member_years.placed_child,
    member_years.detained,
    member_years.unemployed,
    member_years.primary_incapacity,
    member_years.invalidity,
    member_years.social_assistance,
    member_years.affiliated_days,
    member_years.weighting_group,
    member_years.group_population,
    member_years.group_members,
    member_years.weight,
    member_years.extrapolation_factor,
    member_years.expansion_factor
from {{ ref('int_member_years') }} as member_years
inner join elp_user_years
    on
        member_years.member_id = elp_user_years.member_id
        and member_years.year = elp_user_years.year
where member_years.year between {{ var('elp_start_year') }} and {{ var('last_year') }}
