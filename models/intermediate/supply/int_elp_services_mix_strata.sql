-- Per-stratum sums of the post-stratified ratio estimator of mart_elp_services_mix's shares per
-- year, area (province of domicile, or `belgium`), dimension, category and weighting group:
-- unit = member-year, y = its services in the category, x = all its services (the columns
-- poststratified_ratio_from_strata reads); every category of the nomenclature, also at 0.
with

user_areas as (
    select * from {{ ref('int_elp_user_area_services') }}
),

-- one network per user-year (FAQ: no cumulation), as int_member_year_usage / mart_elp_usage
services as (
    select
        member_services.year,
        member_services.member_id,
        member_services.elp_setting,
        member_services.elp_function,
        member_services.services,
        coalesce(yearly.elp_network_type, member_services.network_type) as network_type
    from {{ ref('int_elp_member_services') }} as member_services
    left join {{ ref('int_member_year_usage') }} as yearly
        on member_services.year = yearly.year and member_services.member_id = yearly.member_id
),

member_category_services as (
    select
        year,
        member_id,
        'setting' as dimension,
        elp_setting as category,
        sum(services) as services
    from services
    group by year, member_id, elp_setting
    union all
    select
        year,
        member_id,
        'function' as dimension,
        elp_function as category,
        sum(services) as services
    from services
    group by year, member_id, elp_function
    union all
    select
        year,
        member_id,
        'network_type' as dimension,
        network_type as category,
        sum(services) as services
    from services
    group by year, member_id, network_type
),

nomenclature as (
    select * from {{ ref('nomenclature_codes') }}
    where {{ elp_service_condition() }}
),

category_list as (
    select distinct
        'setting' as dimension,
        cast(elp_setting as {{ dbt.type_string() }}) as category
    from nomenclature
    union all
    select distinct
        'function' as dimension,
        cast(elp_function as {{ dbt.type_string() }}) as category
    from nomenclature
    union all
    select distinct
        'network_type' as dimension,
        cast(elp_network_type as {{ dbt.type_string() }}) as category
    from nomenclature
),

-- the sums over x (the member's services) are per area and stratum, the same for every
-- category; the sums over y need only the members with services in the category (y = 0 adds
-- nothing), so no member is crossed with every category
area_strata as (
    select
        year,
        area,
        weighting_group as stratum,
        max(cast(group_population as {{ type_double() }})) as stratum_population,
        max(cast(group_members as {{ type_double() }})) as stratum_members,
        sum(case when services > 0 then 1 else 0 end) as units_observed,
        sum(cast(services as {{ type_double() }})) as sum_x,
        sum(cast(services as {{ type_double() }}) * services) as sum_xx
    from user_areas
    group by year, area, weighting_group
),

-- joined on the member-year only: each category row counts in both of the member's areas
category_strata as (
    select
        user_areas.year,
        user_areas.area,
        member_category_services.dimension,
        member_category_services.category,
        user_areas.weighting_group as stratum,
        sum(case when user_areas.services > 0 and member_category_services.services > 0 then 1 else 0 end)
            as y_units_observed,
        sum(case when member_category_services.services > 0 then 1 else 0 end) as users_observed,
        sum(member_category_services.services) as services_observed,
        sum(cast(member_category_services.services as {{ type_double() }})) as sum_y,
        sum(
            cast(member_category_services.services as {{ type_double() }})
            * member_category_services.services
        ) as sum_yy,
        sum(cast(user_areas.services as {{ type_double() }}) * member_category_services.services)
            as sum_xy
    from member_category_services
    inner join user_areas
        on
            member_category_services.year = user_areas.year
            and member_category_services.member_id = user_areas.member_id
    group by
        user_areas.year,
        user_areas.area,
        member_category_services.dimension,
        member_category_services.category,
        user_areas.weighting_group
)

select
    area_strata.year,
    area_strata.area,
    category_list.dimension,
    category_list.category,
    area_strata.stratum,
    area_strata.stratum_population,
    area_strata.stratum_members,
    area_strata.units_observed,
    coalesce(category_strata.y_units_observed, 0) as y_units_observed,
    coalesce(category_strata.users_observed, 0) as users_observed,
    coalesce(category_strata.services_observed, 0) as services_observed,
    coalesce(category_strata.sum_y, 0) as sum_y,
    area_strata.sum_x,
    coalesce(category_strata.sum_yy, 0) as sum_yy,
    area_strata.sum_xx,
    coalesce(category_strata.sum_xy, 0) as sum_xy
from area_strata
cross join category_list
left join category_strata
    on
        area_strata.year = category_strata.year
        and area_strata.area = category_strata.area
        and area_strata.stratum = category_strata.stratum
        and category_list.dimension = category_strata.dimension
        and category_list.category = category_strata.category
