-- Per-stratum sums of the post-stratified ratio estimator of mart_elp_services_mix's shares,
-- per year, area (province of domicile, or `belgium`), dimension (setting, function,
-- network_type), category and weighting group: unit = member-year, y = the member's services
-- in the category, x = all the member's services (the columns poststratified_ratio_from_strata
-- reads). Every category the nomenclature defines gets its rows, also without services in an
-- area (share 0).
with

user_areas as (
    select * from {{ ref('int_elp_user_area_services') }}
),

services as (
    select * from {{ ref('int_elp_member_services') }}
),

-- a user is in one network a year (FAQ: no cumulation; int_member_year_usage picks it), so
-- the network rows count the same users as mart_elp_usage's network types and a member with
-- services in both networks adds all of them to that network
member_networks as (
    select
        year,
        member_id,
        elp_network_type
    from {{ ref('int_member_year_usage') }}
    where elp_network_type is not null
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
        services.year,
        services.member_id,
        'network_type' as dimension,
        coalesce(member_networks.elp_network_type, services.network_type) as category,
        sum(services.services) as services
    from services
    left join member_networks
        on
            services.year = member_networks.year
            and services.member_id = member_networks.member_id
    group by
        services.year,
        services.member_id,
        coalesce(member_networks.elp_network_type, services.network_type)
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
