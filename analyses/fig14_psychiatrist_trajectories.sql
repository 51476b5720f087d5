-- Figure 14: Patients by psychiatrist consultations before, during and after their trajectory,
--   trajectories started in 2023
-- Figuur 14: Aantal patiënten en verdeling naargelang zij al dan niet gebruik maakten van
--   consultaties bij een psychiater, vóór, tijdens en na het traject, voor trajecten gestart
--   in 2023
-- Reads: marts.mart_elp_individual_trajectories (care_type psychiatrist) in the published
--   snapshot.
-- Rows: one per start group (not_before first, then before: an ambulatory psychiatrist
--   consultation in the 24 months before the first session) x pattern (Y/N
--   before-during-after, e.g. 'Y-Y-N'; the study's 'Y-Y-*' is Y-Y-N + Y-Y-Y) x ELP use in the
--   after period (all, with_elp_after, without_elp_after). Columns: the start group's
--   extrapolated patients, the pattern's extrapolated patients and its weighted share of the
--   start group (the figure's percentages) and of the whole cohort, with 95 % intervals.
--   Suppressed cells are null with is_suppressed = true.
-- Filter: the cohort year in `params` (the cohort of mart_elp_care_transitions).
with

params as (
    select 2023 as cohort_year  -- year of the cohort's first sessions
)

select
    trajectories.cohort_year,
    trajectories.start_group,
    trajectories.start_group_patients_extrapolated,
    trajectories.pattern,
    trajectories.elp_after,
    trajectories.patients_extrapolated,
    trajectories.share_of_start_group,
    trajectories.share_of_start_group_ci_low,
    trajectories.share_of_start_group_ci_high,
    trajectories.share_of_cohort,
    trajectories.share_of_cohort_ci_low,
    trajectories.share_of_cohort_ci_high,
    trajectories.is_suppressed
from marts.mart_elp_individual_trajectories as trajectories
inner join params
    on
        trajectories.cohort_year = params.cohort_year
        and trajectories.care_type = 'psychiatrist'
order by
    trajectories.start_group desc,
    trajectories.pattern asc,
    case trajectories.elp_after when 'all' then 1 when 'with_elp_after' then 2 else 3 end asc
