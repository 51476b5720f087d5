-- Table 4: ELP users by network and place of care, 2022-2024
-- Tabel 4: Aantal personen dat tussen 2022 en 2024 gebruikmaakt van de ELP-overeenkomst
--   volgens netwerk en plaats
-- Reads: marts.mart_elp_users_by_setting in the published snapshot; reference.labels for the
--   labels and the order.
-- Rows: one per block x category x year, the table's three blocks in its order:
--   `network` (the user's network type: the one with most services in the year; share = the
--   network's users / all users, computed here from the published counts, so without an
--   interval), `place_exclusive` (the single setting of the user's sessions, `multiple`, or
--   `other` = trajectory services only; the shares add up to 1) and `place_any` (at least one
--   session in the setting; overlapping). Columns: extrapolated users, weighted share of the
--   year's users with its 95 % interval. Suppressed cells are null with is_suppressed = true.
-- Filter: first_year / last_year in `params`.
with

params as (
    select
        2022 as first_year,  -- first year shown
        2024 as last_year    -- last year shown
),

settings as (
    select settings.*
    from marts.mart_elp_users_by_setting as settings
    cross join params
    where settings.year between params.first_year and params.last_year
),

-- a subgroup's user count repeats on each of its setting rows; complementary suppression
-- may null some copies, so any published copy is the published value
network_users as (
    select
        year,
        category as network_type,
        max(subgroup_users_extrapolated) as users_extrapolated
    from settings
    where dimension = 'network_type'
    group by year, category
),

all_users as (
    select
        year,
        max(subgroup_users_extrapolated) as users_extrapolated
    from settings
    where dimension = 'total'
    group by year
),

blocks as (
    select
        1 as block_order,
        'network' as block,
        network_users.network_type as category,
        'network_type' as label_dimension,
        network_users.year,
        network_users.users_extrapolated,
        network_users.users_extrapolated / all_users.users_extrapolated as users_share,
        cast(null as double) as users_share_ci_low,
        cast(null as double) as users_share_ci_high,
        network_users.users_extrapolated is null as is_suppressed
    from network_users
    inner join all_users on network_users.year = all_users.year
    union all
    select
        case setting_group when 'exclusive' then 2 else 3 end as block_order,
        'place_' || setting_group as block,
        setting as category,
        'setting' as label_dimension,
        year,
        users_extrapolated,
        users_share,
        users_share_ci_low,
        users_share_ci_high,
        is_suppressed
    from settings
    where dimension = 'total'
)

select
    blocks.block,
    blocks.category,
    labels.label_nl,
    labels.label_fr,
    labels.label_en,
    blocks.year,
    blocks.users_extrapolated,
    blocks.users_share,
    blocks.users_share_ci_low,
    blocks.users_share_ci_high,
    blocks.is_suppressed
from blocks
left join reference.labels as labels
    on blocks.label_dimension = labels.dimension and blocks.category = labels.category
order by blocks.block_order, labels.sort_order, blocks.year
