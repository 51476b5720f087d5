-- Share of the population with reimbursed mental-health care per year (Figures 1 and 2), per
-- category of int_mh_care_category_counts (exclusive categories and their aggregates).
with

strata as (
    select * from {{ ref('int_usage_strata') }}
),

stratum_sizes as (
    select
        year,
        weighting_group,
        max(group_population) as group_population,
        max(group_members) as group_members,
        sum(member_years) as stratum_member_years
    from strata
    group by year, weighting_group
),

category_counts as (
    select * from {{ ref('int_mh_care_category_counts') }}
),

categories as (
    select distinct
        year,
        classification,
        category,
        is_exclusive
    from category_counts
),

outcomes as (
    select 1 as y
    union all
    select 0 as y
),

-- every member-year of the year is in the domain: y = 1 for those in the category, else 0
ratio_input as (
    select
        categories.year,
        categories.classification,
        categories.category,
        categories.is_exclusive,
        stratum_sizes.weighting_group,
        stratum_sizes.group_population,
        stratum_sizes.group_members,
        outcome.y,
        case
            when outcome.y = 1 then coalesce(category_counts.member_years, 0)
            else stratum_sizes.stratum_member_years - coalesce(category_counts.member_years, 0)
        end as unit_count
    from categories
    inner join stratum_sizes
        on categories.year = stratum_sizes.year
    cross join outcomes as outcome
    left join category_counts
        on
            categories.year = category_counts.year
            and categories.classification = category_counts.classification
            and categories.category = category_counts.category
            and stratum_sizes.weighting_group = category_counts.weighting_group
),

estimates as (
    {{ poststratified_ratio(
        'ratio_input', ['year', 'classification', 'category', 'is_exclusive'], 'y', '1',
        unit_count='unit_count'
    ) }}
),

labels as (
    select * from {{ ref('labels') }}
)

select
    cast(estimates.year as {{ dbt.type_int() }}) as year,
    cast(estimates.classification as {{ dbt.type_string() }}) as classification,
    cast(estimates.category as {{ dbt.type_string() }}) as category,
    cast(estimates.is_exclusive as {{ dbt.type_boolean() }}) as is_exclusive,
    cast(estimates.y_units_observed as {{ dbt.type_bigint() }}) as persons_observed,
    cast(estimates.y_total as {{ type_double() }}) as persons_extrapolated,
    cast(estimates.x_total as {{ type_double() }}) as population,
    cast(estimates.estimate as {{ type_double() }}) as population_share,
    cast(estimates.ci_low as {{ type_double() }}) as population_share_ci_low,
    cast(estimates.ci_high as {{ type_double() }}) as population_share_ci_high,
    cast(labels.label_nl as {{ dbt.type_string() }}) as label_nl,
    cast(labels.label_fr as {{ dbt.type_string() }}) as label_fr,
    cast(labels.label_en as {{ dbt.type_string() }}) as label_en
from estimates
left join labels
    on
        labels.dimension = concat('mh_care_', estimates.classification)
        and estimates.category = labels.category
