-- Annex 4: Place of care of ELP users by subgroup, 2024 (detail of Figure 6 and Table 4)
-- Bijlage 4: detailcijfers voor alle plaatsen van de zorg volgens gebruikerscategorie
--   (titel niet in de tekstversie van de studie)
-- Reads: marts.mart_elp_users_by_setting in the published snapshot; reference.labels for the
--   order.
-- Rows: one per dimension x category x setting_group x setting, every breakdown of the mart
--   (provinces included): setting_group `exclusive` (single setting, `multiple`, or `other`
--   = trajectory services only; they add up to 1 within a subgroup) and `any` (at least one
--   session in the setting; overlapping). Columns: the weighted share of the subgroup's users
--   with its 95 % interval and the extrapolated users. Suppressed cells are null with
--   is_suppressed = true.
-- Filter: the year in `params`.
with

params as (
    select 2024 as year  -- year shown
)

select
    settings.year,
    settings.dimension,
    settings.category,
    category_order.label_nl,
    category_order.label_fr,
    category_order.label_en,
    settings.setting_group,
    settings.setting,
    settings.label_nl as setting_label_nl,
    settings.label_fr as setting_label_fr,
    settings.label_en as setting_label_en,
    settings.users_share,
    settings.users_share_ci_low,
    settings.users_share_ci_high,
    settings.users_extrapolated,
    settings.is_suppressed
from marts.mart_elp_users_by_setting as settings
inner join params on settings.year = params.year
left join reference.labels as dimension_order
    on dimension_order.dimension = 'dimension' and settings.dimension = dimension_order.category
left join reference.labels as category_order
    on
        settings.dimension = category_order.dimension
        and settings.category = category_order.category
left join reference.labels as setting_order
    on setting_order.dimension = 'setting' and settings.setting = setting_order.category
order by
    dimension_order.sort_order asc,
    category_order.sort_order asc,
    settings.setting_group desc,
    setting_order.sort_order asc
