-- Figure 8: Sessions per patient over 12 months by VT status, trajectories started in 2024
-- Figuur 8: Aantal sessies per patiënt·e over 12 maanden volgens VT-statuut voor trajecten
--   gestart in 2024
-- Reads: marts.mart_elp_sessions_per_patient in the published snapshot; reference.labels
--   for the order.
-- Rows: the national row first, then one per category of the breakdown (VT and non-VT patients):
--   extrapolated patients, weighted mean sessions with its 95 % interval, and the weighted
--   P25, median, P75 and P95 the figure draws. Suppressed cells are null with
--   is_suppressed = true.
-- Filter: the cohort year and the breakdown in `params` (any dimension of the mart, e.g.
--   'age_group', 'first_setting', 'function').
with

params as (
    select
        2024 as cohort_year,     -- year of the trajectories' first session
        'vt' as dimension       -- breakdown shown next to the national row
)

select
    sessions.cohort_year,
    sessions.dimension,
    sessions.category,
    sessions.label_nl,
    sessions.label_fr,
    sessions.label_en,
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
inner join params
    on
        sessions.cohort_year = params.cohort_year
        and sessions.dimension in ('total', params.dimension)
left join reference.labels as category_order
    on
        sessions.dimension = category_order.dimension
        and sessions.category = category_order.category
order by sessions.dimension <> 'total', category_order.sort_order
