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
    where care_type in ('elp_session', 'elp_trajectory_service')
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

ratio_input as (
    select
        member_totals.year,
        member_totals.area,
        category_list.dimension,
        category_list.category,
        member_totals.weighting_group,
        member_totals.group_population,
        member_totals.group_members,
        coalesce(member_category_services.services, 0) as y,
        member_totals.services as x
    from member_totals
    cross join category_list
    left join member_category_services
        on
            member_totals.year = member_category_services.year
            and member_totals.member_id = member_category_services.member_id
            and member_totals.area = member_category_services.area
            and category_list.dimension = member_category_services.dimension
            and category_list.category = member_category_services.category
),

shares as (
    {{ poststratified_ratio('ratio_input', ['year', 'area', 'dimension', 'category'], 'y', 'x') }}
),

observed as (
    select
        year,
        area,
        dimension,
        category,
        sum(y) as services_observed,
        sum(case when y > 0 then 1 else 0 end) as users_observed
    from ratio_input
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
