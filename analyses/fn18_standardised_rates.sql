-- Footnote 18: Age- and sex-standardised ELP usage rate by VT status, 2024
-- Voetnoot 18: Na standaardisering voor leeftijd en geslacht (referentiepopulatie CM-leden
--   2024) maakte 3,3 % van de VT-rechthebbenden gebruik van de ELP-overeenkomst in 2024,
--   tegenover 2,3 % van de personen zonder VT
-- Reads: marts.mart_elp_usage in the published snapshot.
-- Rows: one per category of the dimension (and the national row first): the crude weighted
--   usage rate next to the directly age-sex standardised rate (6 age groups x sex, reference
--   population = the members of the last analysis year), each with its 95 % interval. The
--   standardised rate is null for the age and sex breakdowns themselves and for subgroups
--   missing from some age-sex stratum. Suppressed cells are null with is_suppressed = true.
-- Filter: the year and the dimension in `params` (e.g. 'region' or 'province').
with

params as (
    select
        2024 as year,        -- year shown
        'vt' as dimension    -- breakdown standardised
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
    usage.standardised_rate,
    usage.standardised_rate_ci_low,
    usage.standardised_rate_ci_high,
    usage.is_suppressed
from marts.mart_elp_usage as usage
inner join params
    on
        usage.year = params.year
        and usage.dimension in ('total', params.dimension)
left join reference.labels as category_order
    on usage.dimension = category_order.dimension and usage.category = category_order.category
order by usage.dimension <> 'total', category_order.sort_order, usage.category
