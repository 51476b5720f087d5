-- Figure 12: Mental-health care before, during and after a conventioned trajectory,
--   trajectories started in 2023
-- Figuur 12: Evolutie van de soorten geestelijke gezondheidszorg vóór, tijdens en na een
--   geconventioneerd traject, voor trajecten gestart in 2023
-- Reads: marts.mart_elp_care_transitions in the published snapshot; reference.labels for the
--   order.
-- Rows: one per period (before = 24 months before the first session, during = the 12 months
--   from it, after = the 6 months after that) x care type (one per patient and period:
--   psychiatrist first, then non-conventioned psychologist, acute or residential care,
--   psychotropics only, none_other = no care other than ELP; `all` = the whole cohort) x ELP
--   status in the after period (all, with_elp_after, without_elp_after). Every share has all
--   cohort patients as base: the care types of a period add up to 1, with + without ELP add
--   up to `all`; care type `all` with with_elp_after is the share still using ELP more than a
--   year after the start. Weighted shares with their 95 % interval and extrapolated
--   patients; suppressed cells are null with is_suppressed = true.
-- Filter: the cohort year in `params` (the mart holds the cohort of vars
--   transitions_cohort_start / _end, 2023 by default).
with

params as (
    select 2023 as cohort_year  -- year of the cohort's first sessions
)

select
    transitions.cohort_year,
    transitions.period,
    transitions.care_type,
    transitions.label_nl,
    transitions.label_fr,
    transitions.label_en,
    transitions.elp_status,
    transitions.share,
    transitions.share_ci_low,
    transitions.share_ci_high,
    transitions.patients_extrapolated,
    transitions.is_suppressed
from marts.mart_elp_care_transitions as transitions
inner join params on transitions.cohort_year = params.cohort_year
left join reference.labels as period_order
    on period_order.dimension = 'period' and transitions.period = period_order.category
left join reference.labels as care_type_order
    on care_type_order.dimension = 'care_type' and transitions.care_type = care_type_order.category
order by
    period_order.sort_order,
    transitions.care_type = 'all',
    care_type_order.sort_order,
    case transitions.elp_status when 'all' then 1 when 'with_elp_after' then 2 else 3 end
