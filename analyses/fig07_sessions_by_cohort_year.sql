-- Figure 7: Sessions per patient over 12 months, by the year the trajectory started
-- Figuur 7: Aantal sessies per patiënt·e over 12 maanden, afhankelijk van het jaar waarin het
--   traject is gestart
-- Reads: marts.mart_elp_sessions_per_patient (dimension total) in the published snapshot.
-- Rows: one per cohort year (the year of the trajectory's first session; the last cohort
--   holds only trajectories whose 12 months are billed, by default first sessions before
--   31 March): extrapolated patients, weighted mean sessions with its 95 % interval, and the
--   weighted P25, median, P75 and P95 the figure draws. Suppressed cells are null with
--   is_suppressed = true.
-- Filter: first_cohort_year / last_cohort_year in `params`.
with

params as (
    select
        2022 as first_cohort_year,  -- first cohort shown
        2024 as last_cohort_year    -- last cohort shown
)

select
    sessions.cohort_year,
    sessions.patients_extrapolated,
    sessions.mean_sessions,
    sessions.mean_sessions_ci_low,
    sessions.mean_sessions_ci_high,
    sessions.p25_sessions,
    sessions.median_sessions,
    sessions.p75_sessions,
    sessions.p95_sessions,
    sessions.is_suppressed
from marts.mart_elp_sessions_per_patient as sessions
cross join params
where
    sessions.dimension = 'total'
    and sessions.cohort_year between params.first_cohort_year and params.last_cohort_year
order by sessions.cohort_year
