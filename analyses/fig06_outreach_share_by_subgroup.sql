-- Figure 6: Share of each user group that visited an outreach site at least once in 2024
-- Figuur 6: Percentage van elke gebruikerscategorie dat in 2024 minstens één keer een
--   vindplaats bezocht
-- Reads: marts.mart_elp_users_by_setting (setting_group any) in the published snapshot;
--   reference.labels for the order.
-- Rows: one per dimension x category of users (total first, then age group, sex, VT,
--   region, socio-professional and specific categories, network type): the weighted share of
--   the subgroup's ELP users with at least one session at an outreach site, with its 95 %
--   interval, and the extrapolated users behind it. Suppressed cells are null with
--   is_suppressed = true.
-- Filter: the year and the setting in `params` (office, outreach, group, home, remote: the
--   other columns of Annex 4); the `where` clause leaves provinces out (Annex 4).
with

params as (
    select
        2024 as year,           -- year shown
        'outreach' as setting   -- setting whose any-use share is shown
)

select
    settings.year,
    settings.setting,
    settings.dimension,
    settings.category,
    category_order.label_nl,
    category_order.label_fr,
    category_order.label_en,
    settings.users_share,
    settings.users_share_ci_low,
    settings.users_share_ci_high,
    settings.users_extrapolated,
    settings.subgroup_users_extrapolated,
    settings.is_suppressed
from marts.mart_elp_users_by_setting as settings
inner join params
    on
        settings.year = params.year
        and settings.setting_group = 'any'
        and settings.setting = params.setting
left join reference.labels as dimension_order
    on dimension_order.dimension = 'dimension' and settings.dimension = dimension_order.category
left join reference.labels as category_order
    on
        settings.dimension = category_order.dimension
        and settings.category = category_order.category
where settings.dimension <> 'province'
order by dimension_order.sort_order, category_order.sort_order
