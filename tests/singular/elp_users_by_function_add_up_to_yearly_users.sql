-- The four exclusive function patterns (support, treatment, both, other) of a year's ELP
-- users add up to the year's users in mart_elp_users_yearly, observed and extrapolated: a
-- user lost or counted twice between the two marts fails here.
with

functions as (
    select
        year,
        sum(users_observed) as users_observed,
        sum(users_extrapolated) as users_extrapolated
    from {{ ref('mart_elp_users_by_function') }}
    where dimension = 'total'
    group by year
)

select
    yearly.year,
    yearly.users_observed,
    functions.users_observed as function_users_observed,
    yearly.users_extrapolated,
    functions.users_extrapolated as function_users_extrapolated
from {{ ref('mart_elp_users_yearly') }} as yearly
left join functions
    on yearly.year = functions.year
where
    functions.year is null
    or yearly.users_observed <> functions.users_observed
    or abs(yearly.users_extrapolated - functions.users_extrapolated)
    > 1e-9 * greatest(abs(yearly.users_extrapolated), 1)
