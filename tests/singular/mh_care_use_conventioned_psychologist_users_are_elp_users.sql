-- Figure 2's "conventioned psychologist" persons (mart_mh_care_use) are the year's ELP
-- users (mart_elp_users_yearly): both count members with at least one ELP service.
select
    yearly.year,
    yearly.users_observed,
    care_use.persons_observed,
    yearly.users_extrapolated,
    care_use.persons_extrapolated
from {{ ref('mart_elp_users_yearly') }} as yearly
left join {{ ref('mart_mh_care_use') }} as care_use
    on
        yearly.year = care_use.year
        and care_use.classification = 'figure_2'
        and care_use.category = 'psychologist_conventioned'
where
    care_use.year is null
    or yearly.users_observed <> care_use.persons_observed
    or abs(yearly.users_extrapolated - care_use.persons_extrapolated)
    > 1e-9 * greatest(abs(yearly.users_extrapolated), 1)
