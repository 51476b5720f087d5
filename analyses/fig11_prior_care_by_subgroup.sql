-- Figure 11: New ELP patients by their mental-health care before joining the convention in
--   2024, by socio-demographic characteristics
-- Figuur 11: Verdeling van patiënten volgens hun traject in de geestelijke gezondheidszorg
--   vóór hun toetreding tot de ELP-overeenkomst in 2024 volgens sociaal-demografische
--   kenmerken
-- Reads: marts.mart_elp_prior_care in the published snapshot; reference.labels for the
--   order.
-- Rows: one per dimension x category x prior-care category (the figure's bars: total first,
--   then age group, sex, VT, region, socio-professional and specific categories, network
--   type, setting of the first session, function): the weighted share of the subgroup's
--   patients with its 95 % interval and the extrapolated patients; the five shares of a
--   subgroup add up to 1. Suppressed cells are null with is_suppressed = true.
-- Filter: the cohort year in `params`; the `where` clause leaves provinces out.
with

params as (
    select 2024 as cohort_year  -- year of the trajectories' first session
)

select
    patients.cohort_year,
    patients.dimension,
    patients.category,
    patients.label_nl,
    patients.label_fr,
    patients.label_en,
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
inner join params on patients.cohort_year = params.cohort_year
left join reference.labels as dimension_order
    on dimension_order.dimension = 'dimension' and patients.dimension = dimension_order.category
left join reference.labels as category_order
    on patients.dimension = category_order.dimension and patients.category = category_order.category
left join reference.labels as prior_care_order
    on prior_care_order.dimension = 'prior_care' and patients.prior_care = prior_care_order.category
where patients.dimension <> 'province'
order by
    dimension_order.sort_order,
    category_order.sort_order,
    prior_care_order.sort_order
