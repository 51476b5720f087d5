-- Annex 3: ELP users and usage rate by subgroup and year, 2019-2024 (detail of Figure 5)
-- Bijlage 3: gebruik van de ELP-overeenkomst volgens subgroep en de evolutie ervan in de tijd
--   (titel niet in de tekstversie van de studie)
-- Reads: marts.mart_elp_usage in the published snapshot; reference.labels for the order.
-- Rows: one per dimension x category x year, every breakdown of the mart (including
--   provinces and network types; a network type's rate is its users over the whole
--   population): extrapolated users, population, weighted usage rate with its 95 % interval.
--   Suppressed cells are null with is_suppressed = true.
-- Filter: first_year / last_year in `params`.
with

params as (
    select
        2019 as first_year,  -- first year shown
        2024 as last_year    -- last year shown
)

select
    usage.dimension,
    usage.category,
    usage.label_nl,
    usage.label_fr,
    usage.label_en,
    usage.year,
    usage.users_extrapolated,
    usage.population,
    usage.usage_rate,
    usage.usage_rate_ci_low,
    usage.usage_rate_ci_high,
    usage.is_suppressed
from marts.mart_elp_usage as usage
cross join params
left join reference.labels as dimension_order
    on dimension_order.dimension = 'dimension' and usage.dimension = dimension_order.category
left join reference.labels as category_order
    on usage.dimension = category_order.dimension and usage.category = category_order.category
where usage.year between params.first_year and params.last_year
order by dimension_order.sort_order, category_order.sort_order, usage.category, usage.year
