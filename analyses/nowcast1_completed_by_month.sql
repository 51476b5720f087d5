-- Current year 1: ELP users, services and spending per recent month and year to date, as
--   booked and completed for what is not booked yet, with 95 % prediction intervals
-- Lopend jaar 1: ELP-gebruikers, prestaties en uitgaven per recente maand en sinds januari,
--   zoals geboekt en aangevuld met wat nog niet geboekt is, met 95 %-voorspellingsintervallen
-- Reads: marts.mart_elp_nowcast in the published snapshot.
-- Rows: one per month of the 12 months up to the as-of month end (as_of_date), then the year
--   to date (period = 'year_to_date'), for one area. *_extrapolated = booked by the as-of date
--   and weighted to the Belgian population; *_completed = completed by chain ladder, with its
--   95 % prediction interval (Mack's method; docs/nowcast.md); *_completeness = the share
--   already booked. The mart's *_ci_low / *_ci_high are renamed *_completed_ci_low / _high,
--   the interval of *_completed. Suppressed rows (fewer than min_cell_size users booked) are
--   null with is_suppressed = true.
-- Filter: the area in `params`: 'belgium', a province code (BE-VAN, ...) or a network type
--   (adults, children_adolescents).
with

params as (
    select 'belgium' as area  -- area shown
)

select
    nowcast.as_of_date,
    nowcast.period,
    nowcast.period_start,
    nowcast.period_end,
    nowcast.area_type,
    nowcast.area,
    nowcast.label_nl,
    nowcast.label_fr,
    nowcast.label_en,
    nowcast.users_observed,
    nowcast.users_extrapolated,
    nowcast.users_completed,
    nowcast.users_ci_low as users_completed_ci_low,
    nowcast.users_ci_high as users_completed_ci_high,
    nowcast.users_completeness,
    nowcast.services_extrapolated,
    nowcast.services_completed,
    nowcast.services_ci_low as services_completed_ci_low,
    nowcast.services_ci_high as services_completed_ci_high,
    nowcast.services_completeness,
    nowcast.spending_eur_extrapolated,
    nowcast.spending_eur_completed,
    nowcast.spending_eur_ci_low as spending_eur_completed_ci_low,
    nowcast.spending_eur_ci_high as spending_eur_completed_ci_high,
    nowcast.spending_completeness,
    nowcast.uses_pooled_factor,
    nowcast.is_suppressed
from marts.mart_elp_nowcast as nowcast
inner join params on nowcast.area = params.area
order by
    case nowcast.period when 'month' then 1 else 2 end,
    nowcast.period_start
