-- Table 2: ELP users by function, 2022-2024
-- Tabel 2: Aantal personen dat tussen 2022 en 2024 gebruikmaakt van de ELP-overeenkomst
--   volgens functie
-- Reads: marts.mart_elp_users_by_function (dimension total) in the published snapshot;
--   reference.labels for the function labels.
-- Rows: one per year x function (support only, treatment only, both, and `other` = users with
--   trajectory services only, which the study's table does not show) plus a `total` row per
--   year: extrapolated users and the weighted share of the year's users with its 95 %
--   interval; the functions' shares add up to 1. Suppressed cells are null with
--   is_suppressed = true (the total row is suppressed when the year's users are).
-- Filter: first_year / last_year in `params`.
with

params as (
    select
        2022 as first_year,  -- first year shown
        2024 as last_year    -- last year shown
),

users as (
    select users.*
    from marts.mart_elp_users_by_function as users
    cross join params
    where
        users.dimension = 'total'
        and users.year between params.first_year and params.last_year
),

by_function as (
    select
        users.year,
        users.function,
        labels.label_nl,
        labels.label_fr,
        labels.label_en,
        labels.sort_order,
        users.users_extrapolated,
        users.users_share,
        users.users_share_ci_low,
        users.users_share_ci_high,
        users.is_suppressed
    from users
    left join reference.labels as labels
        on labels.dimension = 'function' and users.function = labels.category
),

year_total as (
    select
        year,
        'total' as function,
        'Totaal' as label_nl,
        'Total' as label_fr,
        'Total' as label_en,
        99 as sort_order,
        max(subgroup_users_extrapolated) as users_extrapolated,
        case when max(subgroup_users_extrapolated) is not null then 1.0 end as users_share,
        cast(null as double) as users_share_ci_low,
        cast(null as double) as users_share_ci_high,
        max(subgroup_users_extrapolated) is null as is_suppressed
    from users
    group by year
)

select
    year,
    function,
    label_nl,
    label_fr,
    label_en,
    users_extrapolated,
    users_share,
    users_share_ci_low,
    users_share_ci_high,
    is_suppressed
from (
    select * from by_function
    union all
    select * from year_total
) as table_2
order by year, sort_order
