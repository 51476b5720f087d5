-- Distribution of ELP services (sessions and trajectory services) by setting, function and
-- network type, per year, nationally and per province of domicile (Table 1, Annex 2).
-- share = extrapolated services in the category / extrapolated services of the area, with a
-- 95 % interval from the post-stratified ratio estimator (unit = member-year: y = the member's
-- services in the category, x = all the member's services; per-stratum sums in
-- int_elp_services_mix_strata).

with

strata as (
    select * from {{ ref('int_elp_services_mix_strata') }}
),

shares as (
    {{ poststratified_ratio_from_strata('strata', ['year', 'area', 'dimension', 'category']) }}
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
