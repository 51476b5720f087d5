-- The cohort sizes the trajectory marts publish are the trajectories that int_elp_trajectories
-- flags for them, per cohort year: Figures 7-9 (sessions per patient) count the 12-month
-- session cohort, Figures 10-11 (prior care) the patients affiliated over the prior years.
-- Every trajectory is one patient-start, so a row lost or repeated in a mart's joins fails here.
with

trajectories as (
    select
        cohort_year,
        sum(case when is_session_cohort then 1 else 0 end) as session_cohort,
        sum(case when is_affiliated_prior_years and has_member_year then 1 else 0 end)
            as prior_care_cohort
    from {{ ref('int_elp_trajectories') }}
    group by cohort_year
),

published as (
    select
        trajectories.cohort_year,
        trajectories.session_cohort,
        trajectories.prior_care_cohort,
        sessions.patients_observed as sessions_mart_patients,
        prior.cohort_patients_observed as prior_care_mart_patients
    from trajectories
    left join {{ ref('mart_elp_sessions_per_patient') }} as sessions
        on
            trajectories.cohort_year = sessions.cohort_year
            and sessions.dimension = 'total'
    left join (
        select distinct
            cohort_year,
            cohort_patients_observed
        from {{ ref('mart_elp_prior_care') }}
        where dimension = 'total'
    ) as prior
        on trajectories.cohort_year = prior.cohort_year
)

select *
from published
where
    coalesce(sessions_mart_patients, 0) <> session_cohort
    or coalesce(prior_care_mart_patients, 0) <> prior_care_cohort
