-- Every ELP user's member-year with its services and insurance amount, once per area it counts
-- in: its province of domicile and Belgium (area `belgium`). The supply marts publish every
-- figure per province and nationally; with one row per area they group by area, and the
-- national row is the same computation as a province's instead of a separate sum.
with

member_year_services as (
    select
        year,
        member_id,
        province_code,
        weighting_group,
        max(group_population) as group_population,
        max(group_members) as group_members,
        max(expansion_factor) as expansion_factor,
        sum(services) as services,
        sum(cast(amount_insurance_eur as {{ type_double() }})) as amount_insurance_eur
    from {{ ref('int_elp_member_services') }}
    group by year, member_id, province_code, weighting_group
),

area_levels as (
    select false as is_national
    union all
    select true as is_national
)

select
    member_year_services.year,
    member_year_services.member_id,
    case when area_levels.is_national then 'belgium' else member_year_services.province_code end as area,
    member_year_services.province_code,
    member_year_services.weighting_group,
    member_year_services.group_population,
    member_year_services.group_members,
    member_year_services.expansion_factor,
    member_year_services.services,
    member_year_services.amount_insurance_eur
from member_year_services
cross join area_levels
