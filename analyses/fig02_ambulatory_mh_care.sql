-- Figure 2: Share of the Belgian population with reimbursed ambulatory psychiatric or
--   psychological consultations, 2010-2024
-- Figuur 2: Evolutie tussen 2010 en 2024 van het percentage van de Belgische bevolking met
--   een terugbetaling voor ambulante psychiatrische/psychologische consultaties
-- Reads: marts.mart_mh_care_use (classification figure_2) in the published snapshot.
-- Rows: one per year x category. The exclusive categories (is_exclusive = true:
--   psychiatrist_only, psychiatrist_and_psychologist, psychologist_conventioned_only,
--   psychologist_av_only) add up to ambulatory_total; psychiatrist_any, psychologist_av,
--   psychologist_conventioned(_with_psychiatrist) are the figure's overlapping lines. A person
--   with both a conventioned session and an AV refund counts as conventioned (footnote 14);
--   conventioned rows start in 2019. Columns: weighted population share with its 95 %
--   interval and the extrapolated persons; suppressed cells are null (is_suppressed = true).
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
    where dimension = 'mh_care_figure_2'
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
    care.classification = 'figure_2'
    and care.year between params.first_year and params.last_year
order by care.year asc, care.is_exclusive desc, category_order.sort_order asc
