-- Figure 5: Share of each subgroup of the Belgian population using the ELP convention, 2024
-- Figuur 5: Percentage personen dat in 2024 gebruikmaakt van de ELP-overeenkomst in de
--   verschillende subgroepen van de Belgische bevolking
-- Reads: marts.mart_elp_usage in the published snapshot; reference.labels for the order.
-- Rows: one per dimension x category of the figure (total, age group, sex, VT, region,
--   socio-professional and specific categories), in the study's order: the weighted usage
--   rate of the subgroup with its 95 % interval, the extrapolated users and population.
--   Detainees are extrapolated with the prison population (extrapolation_method). Suppressed
--   cells are null with is_suppressed = true.
-- Filter: the year in `params`; the dimensions in the `where` clause (add 'province' or
--   'network_type' for those breakdowns).
with

params as (
    select 2024 as year  -- year shown
)

select
    usage.year,
    usage.dimension,
    usage.category,
    usage.label_nl,
    usage.label_fr,
    usage.label_en,
    usage.usage_rate,
    usage.usage_rate_ci_low,
    usage.usage_rate_ci_high,
    usage.users_extrapolated,
    usage.population,
    usage.extrapolation_method,
    usage.is_suppressed
from marts.mart_elp_usage as usage
inner join params on usage.year = params.year
left join reference.labels as dimension_order
    on dimension_order.dimension = 'dimension' and usage.dimension = dimension_order.category
left join reference.labels as category_order
    on usage.dimension = category_order.dimension and usage.category = category_order.category
where
    usage.dimension in (
        'total', 'age_group', 'sex', 'vt', 'region', 'socio_professional', 'specific_category'
    )
order by dimension_order.sort_order, category_order.sort_order
