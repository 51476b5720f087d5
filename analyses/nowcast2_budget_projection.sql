-- Current year 2: Projected year-end ELP spending and budget utilisation per province and
--   network type, with 95 % prediction intervals
-- Lopend jaar 2: Geprojecteerde ELP-uitgaven en benutting van het budget op het jaareinde per
--   provincie en netwerktype, met 95 %-voorspellingsintervallen
-- Reads: marts.mart_elp_budget_projection in the published snapshot.
-- Rows: one per area of the projected year: Belgium first, then the provinces (of the users'
--   domicile), then the network types (of the network that billed the service). Budget: seed
--   elp_budget per province, elp_network_type_budget per network type (budget_is_estimate =
--   an estimate by elp-warehouse, not an official figure). Spending to date as booked and
--   completed, projected year-end spending (completed to date plus a straight-line trend for
--   the months to come) with its 95 % prediction interval, and the budget utilisation to date
--   and projected (spending / budget). The mart's budget_utilisation_projected and its
--   budget_utilisation_ci_low / _high are renamed projected_budget_utilisation(_ci_low /
--   _high). Suppressed rows (fewer than min_cell_size users booked) are null with
--   is_suppressed = true; the budget is public and never suppressed.
-- Filter: the year in `params` (the mart holds the year of its as-of date).
with

params as (
    select 2024 as year  -- projected year
)

select
    projection.year,
    projection.as_of_date,
    projection.area_type,
    projection.area,
    projection.label_nl,
    projection.label_fr,
    projection.label_en,
    projection.budget_eur,
    projection.budget_is_estimate,
    projection.users_observed,
    projection.spending_eur_to_date,
    projection.spending_eur_to_date_completed,
    projection.spending_eur_projected,
    projection.spending_eur_projected_ci_low,
    projection.spending_eur_projected_ci_high,
    projection.services_projected,
    projection.services_projected_ci_low,
    projection.services_projected_ci_high,
    projection.budget_utilisation_to_date,
    projection.budget_utilisation_projected as projected_budget_utilisation,
    projection.budget_utilisation_ci_low as projected_budget_utilisation_ci_low,
    projection.budget_utilisation_ci_high as projected_budget_utilisation_ci_high,
    projection.uses_pooled_factor,
    projection.is_suppressed
from marts.mart_elp_budget_projection as projection
inner join params on projection.year = params.year
order by
    case projection.area_type when 'total' then 1 when 'province' then 2 else 3 end,
    projection.area
