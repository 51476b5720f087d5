{{ config(materialized='view') }}
-- The member-year spine: every attribute the study slices by, computed once, with the
-- member-year's weighting group and weight joined once. Every usage mart starts here.
with

members as (
    select * from {{ ref('stg_members_yearly') }}
    where year between {{ var('first_year') }} and {{ var('last_year') }}
),

cells as (
    select * from {{ ref('int_weighting_cells') }}
)

select
    members.member_id,
    members.year,
    members.birth_year,
    members.age,
    {{ age_band('members.age') }} as age_band,
    {{ age_group('members.age') }} as age_group,
    members.sex,
    members.vt,
    members.province_code,
    members.region,
    members.socio_professional,
    members.placed_child,
    members.detained,
    members.unemployment_days > 0 as unemployed,
    members.primary_incapacity_days > 0 as primary_incapacity,
    members.invalidity_days > 0 as invalidity,
    members.social_assistance,
    members.affiliated_days,
    cells.weighting_group,
    cells.group_population,
    cells.group_members,
    cells.weight,
    cells.extrapolation_factor,
    cells.expansion_factor
from members
inner join cells
    on
        members.year = cells.year
        and cells.age_band = {{ age_band('members.age') }}
        and members.sex = cells.sex
        and members.province_code = cells.province_code
        and members.vt = cells.vt
