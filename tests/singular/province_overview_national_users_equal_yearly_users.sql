-- The supply overview counts a year's ELP users by province of residence; its national row
-- must hold the same users as mart_elp_users_yearly (no user without a province, none twice).
select
    yearly.year,
    yearly.users_observed,
    overview.users_observed as overview_users_observed,
    yearly.users_extrapolated,
    overview.users_extrapolated as overview_users_extrapolated
from {{ ref('mart_elp_users_yearly') }} as yearly
inner join {{ ref('mart_elp_province_overview') }} as overview
    on
        yearly.year = overview.year
        and overview.province_code = 'belgium'
where
    yearly.users_observed <> overview.users_observed
    or abs(yearly.users_extrapolated - overview.users_extrapolated)
    > 1e-9 * greatest(abs(yearly.users_extrapolated), 1)
