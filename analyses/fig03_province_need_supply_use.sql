-- Figure 3: Need, supply and use of the ELP convention by province, 2024 (and Annex 1)
-- Figuur 3: Vergelijking tussen de behoeften, het aanbod en het gebruik van de
--   ELP-overeenkomst in 2024 volgens provincie
-- Reads: marts.mart_elp_province_overview in the published snapshot.
-- Rows: one per province (Brussels-Capital Region counts as a province) plus the national
--   row (province_code = 'belgium', first). The figure's three indicators come first: need =
--   share of the population with GHQ 2+ (Sciensano health survey of need_year); supply = ELP
--   services per 100 inhabitants with its 95 % interval; use = weighted share of the
--   population with at least one ELP service, with its 95 % interval. Then Annex 1's detail
--   (its text is not in the study's text version): conventioned providers and their density
--   per 100,000 inhabitants, licensed psychologists and the conventioned share of them,
--   services per provider, budget, spending and budget utilisation. *_is_estimate = a seed
--   value estimated by elp-warehouse, not an official figure. Suppressed cells (member data
--   on fewer than min_cell_size persons) are null with is_suppressed = true; seed figures
--   (need, providers, budget) are public and never suppressed.
-- Filter: the year in `params`.
with

params as (
    select 2024 as year  -- year shown
)

select
    overview.year,
    overview.province_code,
    overview.region,
    overview.label_nl,
    overview.label_fr,
    overview.label_en,
    overview.ghq2_share,
    overview.services_per_100_inhabitants,
    overview.services_per_100_ci_low,
    overview.services_per_100_ci_high,
    overview.usage_rate,
    overview.usage_rate_ci_low,
    overview.usage_rate_ci_high,
    overview.need_year,
    overview.need_is_estimate,
    overview.population,
    overview.providers,
    overview.providers_is_estimate,
    overview.providers_per_100k,
    overview.licensed,
    overview.conventioned_share_of_licensed,
    overview.services_per_provider,
    overview.users_extrapolated,
    overview.budget_eur,
    overview.budget_is_estimate,
    overview.spending_eur_extrapolated,
    overview.budget_utilisation,
    overview.is_suppressed
from marts.mart_elp_province_overview as overview
inner join params on overview.year = params.year
order by overview.region nulls first, overview.province_code
