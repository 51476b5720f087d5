-- Annex 5: Mean sessions per patient over 12 months, trajectories started in 2022, 2023 and
--   2024
-- Bijlage 5: Gemiddeld aantal sessies per patiënt·e over 12 maanden voor trajecten gestart in
--   2022, 2023 en 2024
-- Reads: marts.mart_elp_sessions_per_patient in the published snapshot; reference.labels for
--   the order.
-- Rows: one per dimension x category x cohort year, the annex's rows in its order (total,
--   age group, sex, VT, region, province, socio-professional and specific categories, network
--   type, setting of the first session, function over the 12 months): extrapolated patients
--   and the weighted mean sessions with its 95 % interval. Suppressed cells are null with
--   is_suppressed = true.
-- Filter: first_cohort_year / last_cohort_year in `params`.
with

params as (
    select
        2022 as first_cohort_year,  -- first cohort shown
        2024 as last_cohort_year    -- last cohort shown
)

select
    sessions.dimension,
    sessions.category,
    sessions.label_nl,
    sessions.label_fr,
    sessions.label_en,
    sessions.cohort_year,
    sessions.patients_extrapolated,
    sessions.mean_sessions,
    sessions.mean_sessions_ci_low,
    sessions.mean_sessions_ci_high,
    sessions.is_suppressed
from marts.mart_elp_sessions_per_patient as sessions
cross join params
left join reference.labels as dimension_order
    on dimension_order.dimension = 'dimension' and sessions.dimension = dimension_order.category
left join reference.labels as category_order
    on
        sessions.dimension = category_order.dimension
        and sessions.category = category_order.category
where sessions.cohort_year between params.first_cohort_year and params.last_cohort_year
order by dimension_order.sort_order, category_order.sort_order, sessions.cohort_year
