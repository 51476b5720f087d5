-- Care in the 2 years before the first ELP session (Figures 10-11): one category per patient
-- (int_elp_trajectory_care.care_category_before: psychiatrist first, fn 19), as weighted
-- shares of the cohort's patients per cohort year x dimension x category. Patients are kept
-- when continuously affiliated in the start year and the two previous years (section 2.4).
with

cohort as (
    select
        trajectories.*,
        care.care_category_before as prior_care
    from {{ ref('int_elp_trajectories') }} as trajectories
    inner join {{ ref('int_elp_trajectory_care') }} as care
        on
            trajectories.member_id = care.member_id
            and trajectories.trajectory_number = care.trajectory_number
    where trajectories.is_affiliated_prior_years and trajectories.has_member_year
),

profiles as (
    select
        cohort_year,
        {{ breakdown_columns() }},
        network_type,
        first_setting,
        function_12m,
        weighting_group,
        group_population,
        group_members,
        expansion_factor,
        prior_care,
        count(*) as patients
    from cohort
    group by
        cohort_year,
        {{ breakdown_columns() }},
        network_type, first_setting, function_12m, weighting_group, group_population,
        group_members, expansion_factor, prior_care
),

long as (
    {{ unpivot_dimensions(
        'profiles',
        ['cohort_year', 'weighting_group', 'group_population', 'group_members',
            'expansion_factor', 'prior_care', 'patients'],
        extra={'network_type': 'network_type', 'first_setting': 'first_setting',
            'function': 'function_12m'}
    ) }}
),

cells as (
    select
        cohort_year,
        dimension,
        category,
        weighting_group,
        group_population,
        group_members,
        expansion_factor,
        prior_care,
        sum(patients) as patients
    from long
    group by
        cohort_year, dimension, category, weighting_group, group_population, group_members,
        expansion_factor, prior_care
),

categories as (
    select 'none' as target_prior_care
    union all
    select 'psychiatrist' as target_prior_care
    union all
    select 'non_conventioned_psychologist' as target_prior_care
    union all
    select 'acute_residential' as target_prior_care
    union all
    select 'psychotropics_only' as target_prior_care
),

-- every patient of the domain is a unit of every category's share (y = 1 in its own)
share_input as (
    select
        cells.cohort_year,
        cells.dimension,
        cells.category,
        categories.target_prior_care as prior_care,
        cells.weighting_group,
        cells.group_population,
        cells.group_members,
        cells.patients,
        cells.patients * cells.expansion_factor as patients_extrapolated,
        case when cells.prior_care = categories.target_prior_care then 1 else 0 end as y,
        1 as x
    from cells
    cross join categories
),

shares as (
    {{ poststratified_ratio(
        'share_input', ['cohort_year', 'dimension', 'category', 'prior_care'], 'y', 'x',
        unit_count='patients'
    ) }}
),

counts as (
    select
        cohort_year,
        dimension,
        category,
        prior_care,
        sum(y * patients) as patients_observed,
        sum(y * patients_extrapolated) as patients_extrapolated,
        sum(patients) as cohort_patients_observed
    from share_input
    group by cohort_year, dimension, category, prior_care
),

labels as (
    select * from {{ ref('labels') }}
)

select
    cast(counts.cohort_year as {{ dbt.type_int() }}) as cohort_year,
    cast(counts.dimension as {{ dbt.type_string() }}) as dimension,
    cast(counts.category as {{ dbt.type_string() }}) as category,
    cast(counts.prior_care as {{ dbt.type_string() }}) as prior_care,
    cast(counts.patients_observed as {{ dbt.type_bigint() }}) as patients_observed,
    cast(counts.patients_extrapolated as {{ type_double() }}) as patients_extrapolated,
    cast(counts.cohort_patients_observed as {{ dbt.type_bigint() }}) as cohort_patients_observed,
    cast(shares.estimate as {{ type_double() }}) as share,
    cast(shares.ci_low as {{ type_double() }}) as share_ci_low,
    cast(shares.ci_high as {{ type_double() }}) as share_ci_high,
    cast(labels.label_nl as {{ dbt.type_string() }}) as label_nl,
    cast(labels.label_fr as {{ dbt.type_string() }}) as label_fr,
    cast(labels.label_en as {{ dbt.type_string() }}) as label_en,
    cast(prior_care_labels.label_nl as {{ dbt.type_string() }}) as prior_care_label_nl,
    cast(prior_care_labels.label_fr as {{ dbt.type_string() }}) as prior_care_label_fr,
    cast(prior_care_labels.label_en as {{ dbt.type_string() }}) as prior_care_label_en
from counts
inner join shares
    on
        counts.cohort_year = shares.cohort_year
        and counts.dimension = shares.dimension
        and counts.category = shares.category
        and counts.prior_care = shares.prior_care
left join labels
    on
        counts.dimension = labels.dimension
        and counts.category = labels.category
left join labels as prior_care_labels
    on
        prior_care_labels.dimension = 'prior_care'
        and counts.prior_care = prior_care_labels.category
