-- Figure 4: Number and share of the Belgian population using the ELP convention, 2019-2024
-- Figuur 4: Evolutie tussen 2019 en 2024 van het aantal en percentage personen dat
--   gebruikmaakt van de ELP-overeenkomst binnen de Belgische bevolking
-- Reads: marts.mart_elp_users_yearly in the published snapshot.
-- Rows: one per year: users (at least one ELP service in the year) extrapolated to Belgium,
--   the weighted usage rate with its 95 % interval, new users, and the cumulative distinct
--   users since the convention started with their share of the population (section 3.3.1:
--   466,082 and 4.1 % by 2024). A cumulative value is null when a year up to it had
--   suppressed new users (docs/bi.md, running totals); suppressed cells have
--   is_suppressed = true.
-- Filter: first_year / last_year in `params`.
with

params as (
    select
        2019 as first_year,  -- first year shown (the convention started in 2019)
        2024 as last_year    -- last year shown
)

select
    yearly.year,
    yearly.users_extrapolated,
    yearly.usage_rate,
    yearly.usage_rate_ci_low,
    yearly.usage_rate_ci_high,
    yearly.new_users_extrapolated,
    yearly.cumulative_users_extrapolated,
    yearly.cumulative_usage_rate,
    yearly.population,
    yearly.is_suppressed
from marts.mart_elp_users_yearly as yearly
cross join params
where yearly.year between params.first_year and params.last_year
order by yearly.year
