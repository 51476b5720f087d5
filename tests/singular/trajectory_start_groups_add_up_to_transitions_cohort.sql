-- Figures 13-14 split the transitions cohort by care before the start (start_group); for each
-- care type the start groups hold the whole cohort of Figure 12, no patient more or less.
with

start_groups as (
    select distinct
        cohort_year,
        care_type,
        start_group,
        start_group_patients_observed
    from {{ ref('mart_elp_individual_trajectories') }}
),

cohorts as (
    select distinct
        cohort_year,
        cohort_patients_observed
    from {{ ref('mart_elp_care_transitions') }}
)

select
    start_groups.cohort_year,
    start_groups.care_type,
    sum(start_groups.start_group_patients_observed) as start_group_patients,
    max(cohorts.cohort_patients_observed) as cohort_patients
from start_groups
left join cohorts
    on start_groups.cohort_year = cohorts.cohort_year
group by start_groups.cohort_year, start_groups.care_type
having
    count(distinct cohorts.cohort_patients_observed) <> 1
    or sum(start_groups.start_group_patients_observed) <> max(cohorts.cohort_patients_observed)
