-- Belgium's row of mart_elp_usage (dimension total) and mart_elp_users_yearly estimate the
-- same users from the same strata: they must agree, observed and extrapolated.
select
    yearly.year,
    yearly.users_observed,
    usage.users_observed as usage_users_observed,
    yearly.users_extrapolated,
    usage.users_extrapolated as usage_users_extrapolated
from {{ ref('mart_elp_users_yearly') }} as yearly
full outer join (
    select * from {{ ref('mart_elp_usage') }}
    where dimension = 'total'
) as usage
    on yearly.year = usage.year
where
    yearly.year is null
    or usage.year is null
    or yearly.users_observed <> usage.users_observed
    or abs(yearly.users_extrapolated - usage.users_extrapolated)
    > 1e-9 * greatest(abs(yearly.users_extrapolated), 1)
