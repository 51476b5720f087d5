-- Table 3: ELP users in 2024 by function and socio-demographic profile
-- Tabel 3: Aantal personen dat in 2024 gebruikmaakt van de ELP-overeenkomst en verdeling
--   volgens functie en sociaal-demografische kenmerken
-- Reads: marts.mart_elp_users_by_function in the published snapshot; reference.labels for
--   the order.
-- Rows: one per dimension x category (the table's rows, in its order), the functions side by
--   side as in the printed table: extrapolated users of the subgroup (users_total) and per
--   function (support only, treatment only, both, and `other` = trajectory services only,
--   not in the printed table), then each function's weighted share of the subgroup's users
--   with its 95 % interval (the four shares add up to 1). A suppressed cell is null;
--   any_suppressed = true when at least one cell of the row is.
-- Filter: the year in `params`; the dimensions in the `where` clause (add 'province' or
--   'network_type' for those breakdowns).
with

params as (
    select 2024 as year  -- year shown
),

users as (
    select users.*
    from marts.mart_elp_users_by_function as users
    inner join params on users.year = params.year
    where
        users.dimension in (
            'total', 'age_group', 'vt', 'sex', 'region', 'socio_professional',
            'specific_category'
        )
)

select
    users.year,
    users.dimension,
    users.category,
    category_order.label_nl,
    category_order.label_fr,
    category_order.label_en,
    max(users.subgroup_users_extrapolated) as users_total,
    max(users.users_extrapolated) filter (where users.function = 'support') as users_support,
    max(users.users_extrapolated) filter (where users.function = 'treatment') as users_treatment,
    max(users.users_extrapolated) filter (where users.function = 'both') as users_both,
    max(users.users_extrapolated) filter (where users.function = 'other') as users_other,
    max(users.users_share) filter (where users.function = 'support') as share_support,
    max(users.users_share_ci_low) filter (where users.function = 'support') as share_support_ci_low,
    max(users.users_share_ci_high) filter (where users.function = 'support') as share_support_ci_high,
    max(users.users_share) filter (where users.function = 'treatment') as share_treatment,
    max(users.users_share_ci_low) filter (where users.function = 'treatment') as share_treatment_ci_low,
    max(users.users_share_ci_high) filter (where users.function = 'treatment') as share_treatment_ci_high,
    max(users.users_share) filter (where users.function = 'both') as share_both,
    max(users.users_share_ci_low) filter (where users.function = 'both') as share_both_ci_low,
    max(users.users_share_ci_high) filter (where users.function = 'both') as share_both_ci_high,
    max(users.users_share) filter (where users.function = 'other') as share_other,
    max(users.users_share_ci_low) filter (where users.function = 'other') as share_other_ci_low,
    max(users.users_share_ci_high) filter (where users.function = 'other') as share_other_ci_high,
    bool_or(users.is_suppressed) as any_suppressed
from users
left join reference.labels as dimension_order
    on dimension_order.dimension = 'dimension' and users.dimension = dimension_order.category
left join reference.labels as category_order
    on users.dimension = category_order.dimension and users.category = category_order.category
group by
    users.year,
    users.dimension,
    users.category,
    category_order.label_nl,
    category_order.label_fr,
    category_order.label_en,
    dimension_order.sort_order,
    category_order.sort_order
order by dimension_order.sort_order, category_order.sort_order
