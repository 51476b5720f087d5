-- Patients of the two trajectory cohorts counted per cohort year x breakdown (dimension,
-- category) x weighting group x the measure the cohort's mart estimates: the cells of
-- mart_elp_sessions_per_patient (cohort 'sessions', measure sessions_12m) and
-- mart_elp_prior_care (cohort 'prior_care', measure prior_care). Built once for both, so the
-- two marts cut the trajectories identically; a trajectory in both cohorts counts in each.
with

cohorts as (
    select 'sessions' as cohort
    union all
    select 'prior_care' as cohort
),

cohort_trajectories as (
    select
        cohorts.cohort,
        trajectories.cohort_year,
        {{ breakdown_columns() }},
        trajectories.network_type,
        trajectories.first_setting,
        trajectories.function_12m,
        trajectories.weighting_group,
        trajectories.group_population,
        trajectories.group_members,
        trajectories.expansion_factor,
        case when cohorts.cohort = 'sessions' then trajectories.sessions_12m end as sessions_12m,
        case when cohorts.cohort = 'prior_care' then care.care_category_before end as prior_care
    from {{ ref('int_elp_trajectories') }} as trajectories
    inner join {{ ref('int_elp_trajectory_care') }} as care
        on
            trajectories.member_id = care.member_id
            and trajectories.trajectory_number = care.trajectory_number
    inner join cohorts
        on
            (cohorts.cohort = 'sessions' and trajectories.is_session_cohort)
            or (
                cohorts.cohort = 'prior_care'
                and trajectories.is_affiliated_prior_years
                and trajectories.has_member_year
            )
),

-- identical profiles collapse before the unpivot, so the long table grows with profiles,
-- not with patients
profiles as (
    select
        cohort,
        cohort_year,
        {{ breakdown_columns() }},
        network_type,
        first_setting,
        function_12m,
        sessions_12m,
        prior_care,
        weighting_group,
        group_population,
        group_members,
        expansion_factor,
        count(*) as patients
    from cohort_trajectories
    group by
        cohort,
        cohort_year,
        {{ breakdown_columns() }},
        network_type, first_setting, function_12m, sessions_12m, prior_care, weighting_group,
        group_population, group_members, expansion_factor
),

long as (
    {{ unpivot_dimensions(
        'profiles',
        ['cohort', 'cohort_year', 'weighting_group', 'group_population', 'group_members',
            'expansion_factor', 'sessions_12m', 'prior_care', 'patients'],
        extra={'network_type': 'network_type', 'first_setting': 'first_setting',
            'function': 'function_12m'}
    ) }}
)

select
    cohort,
    cohort_year,
    dimension,
    category,
    weighting_group,
    group_population,
    group_members,
    expansion_factor,
    sessions_12m,
    prior_care,
    cast(sum(patients) as {{ dbt.type_bigint() }}) as patients
from long
group by
    cohort, cohort_year, dimension, category, weighting_group, group_population, group_members,
    expansion_factor, sessions_12m, prior_care
