-- The units of mart_elp_province_overview's usage-rate estimators per year, area (province of
-- domicile, or `belgium`) and weighting group: each ELP user's member-year is one unit
-- (has_elp = 1, with its services); the member-years without ELP services are one row per
-- stratum standing for n units (has_elp = 0). The estimators need every member-year, but only
-- the users need their own row.
with

user_areas as (
    select * from {{ ref('int_elp_user_area_services') }}
),

-- aggregated per province before doubling into areas: the member-year spine is the large input
province_strata as (
    select
        year,
        province_code,
        weighting_group,
        max(group_population) as group_population,
        max(group_members) as group_members,
        count(*) as members
    from {{ ref('int_member_years') }}
    where year between {{ var('elp_start_year') }} and {{ var('last_year') }}
    group by year, province_code, weighting_group
),

area_levels as (
    select false as is_national
    union all
    select true as is_national
),

area_strata as (
    select
        province_strata.year,
        case when area_levels.is_national then 'belgium' else province_strata.province_code end as area,
        province_strata.weighting_group,
        max(province_strata.group_population) as group_population,
        max(province_strata.group_members) as group_members,
        sum(province_strata.members) as members
    from province_strata
    cross join area_levels
    group by province_strata.year, area, province_strata.weighting_group
),

user_strata as (
    select
        year,
        area,
        weighting_group,
        count(*) as users
    from user_areas
    group by year, area, weighting_group
)

select
    year,
    area,
    weighting_group,
    group_population,
    group_members,
    1 as has_elp,
    services,
    1 as n
from user_areas
union all
select
    area_strata.year,
    area_strata.area,
    area_strata.weighting_group,
    area_strata.group_population,
    area_strata.group_members,
    0 as has_elp,
    0 as services,
    area_strata.members - coalesce(user_strata.users, 0) as n
from area_strata
left join user_strata
    on
        area_strata.year = user_strata.year
        and area_strata.area = user_strata.area
        and area_strata.weighting_group = user_strata.weighting_group
where area_strata.members > coalesce(user_strata.users, 0)
