-- Table 1: Distribution of ELP services by setting, function and network, 2022-2024
-- Tabel 1: Evolutie tussen 2022 en 2024 van de verdeling van de prestaties volgens zorgplaats,
--   functie en netwerk
-- Reads: marts.mart_elp_services_mix in the published snapshot; reference.labels for the
--   order.
-- Rows: one per dimension (setting, function, network type, in the table's order) x category
--   x year: the share of the area's services (sessions and trajectory services, corrections
--   netted) with its 95 % interval and the extrapolated services. Within a dimension and year
--   the shares add up to 1. Suppressed cells are null with is_suppressed = true.
-- Filter: first_year / last_year and area in `params`: area 'belgium' is Table 1, a province
--   code (e.g. 'BE-WLX') gives that province's column of Annex 2.
with

params as (
    select
        2022 as first_year,  -- first year shown
        2024 as last_year,   -- last year shown
        'belgium' as area    -- 'belgium' or an ISO province code (Annex 2)
)

select
    services.area,
    services.dimension,
    services.category,
    services.label_nl,
    services.label_fr,
    services.label_en,
    services.year,
    services.share,
    services.share_ci_low,
    services.share_ci_high,
    services.services_extrapolated,
    services.is_suppressed
from marts.mart_elp_services_mix as services
inner join params
    on
        services.area = params.area
        and services.year between params.first_year and params.last_year
left join reference.labels as category_order
    on
        services.dimension = category_order.dimension
        and services.category = category_order.category
order by
    case services.dimension when 'setting' then 1 when 'function' then 2 else 3 end,
    category_order.sort_order,
    services.year
