-- Distribution of ELP services (sessions and trajectory services) by setting, function and
-- network type, per year, nationally and per province of domicile (Table 1, Annex 2).
-- share = extrapolated services in the category / extrapolated services of the area, with a
-- 95 % interval from the post-stratified ratio estimator (unit = member-year: y = the member's
-- services in the category, x = all the member's services).

with

services as (
    select * from {{ ref('int_elp_member_services') }}
),

-- every member-year with ELP services counts nationally and in its province
member_areas as (
    select
        year,
        member_id,
        'belgium' as area,
        weighting_group,
        group_population,
        group_members,
        elp_setting,
        elp_function,
        network_type,
        services
    from services
    union all
    select
        year,
        member_id,
        province_code as area,
        weighting_group,
        group_population,
        group_members,
        elp_setting,
        elp_function,
        network_type,
        services
    from services
),

member_category_services as (
    select
        year,
        member_id,
        area,
        'setting' as dimension,
        elp_setting as category,
        sum(services) as services
    from member_areas
    group by year, member_id, area, elp_setting
    union all
    select
        year,
        member_id,
        area,
        'function' as dimension,
        elp_function as category,
        sum(services) as services
    from member_areas
    group by year, member_id, area, elp_function
    union all
    select
        year,
        member_id,
        area,
        'network_type' as dimension,
        network_type as category,
        sum(services) as services
    from member_areas
    group by year, member_id, area, network_type
),

member_totals as (
    select
        year,
        member_id,
        area,
        weighting_group,
        max(group_population) as group_population,
        max(group_members) as group_members,
        sum(services) as services
    from member_areas
    group by year, member_id, area, weighting_group
),

-- every category the nomenclature defines gets a row, also without services in an area (share 0)
nomenclature as (
    select * from {{ ref('nomenclature_codes') }}
    where {{ elp_warehouse.elp_service_condition() }}
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

-- per-stratum sums of the ratio estimator (macro poststratified_ratio_from_strata) without
-- crossing every member with every category: the sums over x (the member's services) are per
-- area and stratum, the same for every category; the sums over y (the member's services in the
-- category) need only the members with services in it (y = 0 adds nothing)
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
    from member_totals
    group by year, area, weighting_group
),

category_strata as (
    select
        member_category_services.year,
        member_category_services.area,
        member_category_services.dimension,
        member_category_services.category,
        member_totals.weighting_group as stratum,
        sum(
            case
                when member_totals.services > 0 and member_category_services.services > 0 then 1
                else 0
            end
        ) as y_units_observed,
        sum(case when member_category_services.services > 0 then 1 else 0 end) as users_observed,
        sum(member_category_services.services) as services_observed,
        sum(cast(member_category_services.services as {{ type_double() }})) as sum_y,
        sum(
            cast(member_category_services.services as {{ type_double() }})
            * member_category_services.services
        ) as sum_yy,
        sum(cast(member_totals.services as {{ type_double() }}) * member_category_services.services)
            as sum_xy
    from member_category_services
    inner join member_totals
        on
            member_category_services.year = member_totals.year
            and member_category_services.member_id = member_totals.member_id
            and member_category_services.area = member_totals.area
    group by
        member_category_services.year,
        member_category_services.area,
        member_category_services.dimension,
        member_category_services.category,
        member_totals.weighting_group
),

strata as (
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
),

shares as (
    {{ elp_warehouse.poststratified_ratio_from_strata('strata', ['year', 'area', 'dimension', 'category']) }}
),

observed as (
    select
        year,
        area,
        dimension,
        category,
        sum(services_observed) as services_observed,
        sum(users_observed) as users_observed
    from strata
    group by year, area, dimension, category
),

labels as (
    select * from {{ ref('labels') }}
)

select
    cast(shares.year as {{ dbt.type_int() }}) as year,
    cast(shares.area as {{ dbt.type_string() }}) as area,
    cast(area_labels.label_nl as {{ dbt.type_string() }}) as area_label_nl,
    cast(area_labels.label_fr as {{ dbt.type_string() }}) as area_label_fr,
    cast(area_labels.label_en as {{ dbt.type_string() }}) as area_label_en,
    cast(shares.dimension as {{ dbt.type_string() }}) as dimension,
    cast(shares.category as {{ dbt.type_string() }}) as category,
    cast(category_labels.label_nl as {{ dbt.type_string() }}) as label_nl,
    cast(category_labels.label_fr as {{ dbt.type_string() }}) as label_fr,
    cast(category_labels.label_en as {{ dbt.type_string() }}) as label_en,
    cast(observed.services_observed as {{ dbt.type_bigint() }}) as services_observed,
    cast(observed.users_observed as {{ dbt.type_bigint() }}) as users_observed,
    cast(shares.y_total as {{ type_double() }}) as services_extrapolated,
    cast(shares.x_total as {{ type_double() }}) as area_services_extrapolated,
    cast(shares.estimate as {{ type_double() }}) as share,
    cast(shares.ci_low as {{ type_double() }}) as share_ci_low,
    cast(shares.ci_high as {{ type_double() }}) as share_ci_high
from shares
inner join observed
    on
        shares.year = observed.year
        and shares.area = observed.area
        and shares.dimension = observed.dimension
        and shares.category = observed.category
left join labels as area_labels
    on
        area_labels.dimension = case when shares.area = 'belgium' then 'total' else 'province' end
        and shares.area = area_labels.category
left join labels as category_labels
    on
        shares.dimension = category_labels.dimension
        and shares.category = category_labels.category
