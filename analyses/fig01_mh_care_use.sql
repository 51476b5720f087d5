-- Figure 1: Share of the Belgian population with reimbursed mental-health care, 2010-2024
-- Figuur 1: Evolutie tussen 2010 en 2024 van het percentage van de Belgische bevolking met
--   terugbetaling voor geestelijke gezondheidszorg
-- Reads: marts.mart_mh_care_use (classification figure_1) in the published snapshot.
-- Rows: one per year x category. The four exclusive categories (is_exclusive = true) add up
--   to any_mh_care; the other aggregates are footnotes 11-13 (ambulatory_total,
--   psychotropics_total, psychotropics_total_incl_acute, acute_rehab_any). Columns: weighted
--   population share with its 95 % interval and the extrapolated persons; a suppressed cell
--   (fewer than min_cell_size persons) is null with is_suppressed = true.
-- Filter: first_year / last_year in `params`.
with

params as (
    select
        2010 as first_year,  -- first year shown
        2024 as last_year    -- last year shown
),

category_order as (
    select
        category,
        sort_order
    from reference.labels
    where dimension = 'mh_care_figure_1'
)

select
    care.year,
    care.category,
    care.label_nl,
    care.label_fr,
    care.label_en,
    care.is_exclusive,
    care.population_share,
    care.population_share_ci_low,
    care.population_share_ci_high,
    care.persons_extrapolated,
    care.is_suppressed
from marts.mart_mh_care_use as care
cross join params
left join category_order on care.category = category_order.category
where
    care.classification = 'figure_1'
    and care.year between params.first_year and params.last_year
order by care.year asc, care.is_exclusive desc, category_order.sort_order asc
