-- Section 3.2.2: Conventioned providers per 100,000 inhabitants of each network type's age
--   population
-- Sectie 3.2.2: Specialisatie van de zorgverleners (zorgverleners per 100.000 jongeren van 0
--   tot 24 jaar en per 100.000 volwassenen vanaf 25 jaar)
-- Reads: marts.mart_elp_provider_density in the published snapshot.
-- Rows: one per year x network_type (all = distinct providers; a provider conventioned in
--   both network types counts in both rows, so the rows add up to more than `all` and
--   share_of_providers to more than 1, footnote 15). Providers come from a public seed
--   (providers_is_estimate flags estimates); no member data, so nothing is suppressed.
-- Filter: first_year / last_year in `params`.
with

params as (
    select
        2021 as first_year,  -- first year shown
        2024 as last_year    -- last year shown
)

select
    density.year,
    density.network_type,
    density.label_nl,
    density.label_fr,
    density.label_en,
    density.age_population,
    density.providers,
    density.providers_is_estimate,
    density.share_of_providers,
    density.population,
    density.providers_per_100k
from marts.mart_elp_provider_density as density
cross join params
where density.year between params.first_year and params.last_year
order by density.year asc, density.network_type = 'all' desc, density.network_type asc
