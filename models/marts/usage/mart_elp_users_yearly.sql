-- ELP users per year (Figure 4): observed and extrapolated users, the weighted usage rate
-- with its 95 % interval, new users and the cumulative count of distinct users since the
-- convention started. Counts and rates come from the usage strata (counts per weighting
-- group); only the new users need member-level rows, the ELP users' member-years.
with

rate_input as (
    select
        year,
        weighting_group,
        group_population,
        group_members,
        case when uses_elp then 1 else 0 end as y,
        1 as x,
        member_years
    from {{ ref('int_usage_strata') }}
    where year >= {{ var('elp_start_year') }}
),

-- users_observed = y_units_observed, members_observed = units_observed; the extrapolated
-- users and population are the estimator's totals (sum over groups of N_g / n_g x count)
rates as (
    {{ poststratified_ratio('rate_input', ['year'], 'y', 'x', unit_count='member_years') }}
),

-- member-years with ELP use that are in the spine (a use in a year without a valid member-year
-- is not observed, as in the rates), with the member-year's expansion factor
elp_member_years as (
    select
        member_id,
        year,
        expansion_factor
    from {{ ref('int_elp_user_years') }}
),

first_use as (
    select
        member_id,
        min(year) as first_year
    from elp_member_years
    group by member_id
),

new_users as (
    select
        elp_member_years.year,
        count(*) as new_users_observed,
        sum(elp_member_years.expansion_factor) as new_users_extrapolated
    from elp_member_years
    inner join first_use
        on
            elp_member_years.member_id = first_use.member_id
            and elp_member_years.year = first_use.first_year
    group by elp_member_years.year
),

yearly as (
    select
        rates.year,
        rates.units_observed as members_observed,
        rates.y_units_observed as users_observed,
        rates.y_total as users_extrapolated,
        rates.x_total as population,
        rates.estimate,
        rates.ci_low,
        rates.ci_high,
        coalesce(new_users.new_users_observed, 0) as new_users_observed,
        coalesce(new_users.new_users_extrapolated, 0) as new_users_extrapolated
    from rates
    left join new_users
        on rates.year = new_users.year
)

select
    cast(year as {{ dbt.type_int() }}) as year,
    cast(members_observed as {{ dbt.type_bigint() }}) as members_observed,
    cast(users_observed as {{ dbt.type_bigint() }}) as users_observed,
    cast(users_extrapolated as {{ type_double() }}) as users_extrapolated,
    cast(population as {{ type_double() }}) as population,
    cast(estimate as {{ type_double() }}) as usage_rate,
    cast(ci_low as {{ type_double() }}) as usage_rate_ci_low,
    cast(ci_high as {{ type_double() }}) as usage_rate_ci_high,
    cast(users_observed as {{ type_double() }}) / members_observed as usage_rate_unweighted,
    cast(new_users_observed as {{ dbt.type_bigint() }}) as new_users_observed,
    cast(new_users_extrapolated as {{ type_double() }}) as new_users_extrapolated,
    cast(
        sum(new_users_observed) over (order by year rows unbounded preceding)
        as {{ dbt.type_bigint() }}
    ) as cumulative_users_observed,
    cast(
        sum(new_users_extrapolated) over (order by year rows unbounded preceding)
        as {{ type_double() }}
    ) as cumulative_users_extrapolated,
    cast(
        sum(new_users_extrapolated) over (order by year rows unbounded preceding)
        / population as {{ type_double() }}
    ) as cumulative_usage_rate
from yearly
