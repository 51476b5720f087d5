-- Figure 10: New ELP patients by their mental-health care before joining the convention,
--   2019-2024
-- Figuur 10: Verdeling van patiënten volgens hun traject in de geestelijke gezondheidszorg
--   vóór toetreding tot de ELP-overeenkomst, tussen 2019 en 2024
-- Reads: marts.mart_elp_prior_care (dimension total) in the published snapshot;
--   reference.labels for the order.
-- Rows: one per cohort year (year of the trajectory's first session) x prior-care category
--   over the 24 months before it, one category per patient (psychiatrist first, footnote 19;
--   then non-conventioned psychologist, acute or residential care, psychotropics only, none =
--   the study's "new patients"): the weighted share of the cohort's patients with its 95 %
--   interval and the extrapolated patients; the shares of a cohort year add up to 1.
--   Suppressed cells are null with is_suppressed = true.
-- Filter: first_cohort_year / last_cohort_year in `params`.
with

params as (
    select
        2019 as first_cohort_year,  -- first cohort shown
        2024 as last_cohort_year    -- last cohort shown
)

select
    patients.cohort_year,
    patients.prior_care,
    patients.prior_care_label_nl,
    patients.prior_care_label_fr,
    patients.prior_care_label_en,
    patients.share,
    patients.share_ci_low,
    patients.share_ci_high,
    patients.patients_extrapolated,
    patients.is_suppressed
from marts.mart_elp_prior_care as patients
cross join params
left join reference.labels as prior_care_order
    on prior_care_order.dimension = 'prior_care' and patients.prior_care = prior_care_order.category
where
    patients.dimension = 'total'
    and patients.cohort_year between params.first_cohort_year and params.last_cohort_year
order by patients.cohort_year, prior_care_order.sort_order
