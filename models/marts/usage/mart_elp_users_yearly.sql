-- ELP users per year (Figure 4): observed and extrapolated users, the weighted usage rate
-- with its 95 % interval, new users and the cumulative count of distinct users since the
-- convention started.
with

member_years as (
    select
        spine.year,
        spine.member_id,
        spine.weighting_group,
        spine.group_population,
        spine.group_members,
        spine.expansion_factor,
        coalesce(care.has_elp, 0) as has_elp
    from {{ ref('int_member_years') }} as spine
    left join {{ ref('int_member_year_care') }} as care
        on
            spine.member_id = care.member_id
            and spine.year = care.year
    where spine.year >= {{ var('elp_start_year') }}
),

rate_input as (
    select
        year,
        weighting_group,
        group_population,
        group_members,
        has_elp as y,
        1 as x
    from member_years
),

rates as (
    {{ poststratified_ratio('rate_input', ['year'], 'y', 'x') }}
),

first_use as (
    select
        member_id,
        min(year) as first_year
    from member_years
    where has_elp = 1
    group by member_id
),

yearly as (
    select
        member_years.year,
        count(*) as members_observed,
        sum(member_years.has_elp) as users_observed,
        sum(member_years.has_elp * member_years.expansion_factor) as users_extrapolated,
        sum(member_years.expansion_factor) as population,
        sum(case when first_use.first_year = member_years.year then 1 else 0 end)
            as new_users_observed,
        sum(
            case
                when first_use.first_year = member_years.year
                    then member_years.expansion_factor
                else 0
            end
        ) as new_users_extrapolated
    from member_years
    left join first_use
        on member_years.member_id = first_use.member_id
    group by member_years.year
)

select
    cast(yearly.year as {{ dbt.type_int() }}) as year,
    cast(yearly.members_observed as {{ dbt.type_bigint() }}) as members_observed,
    cast(yearly.users_observed as {{ dbt.type_bigint() }}) as users_observed,
    cast(yearly.users_extrapolated as {{ type_double() }}) as users_extrapolated,
    cast(yearly.population as {{ type_double() }}) as population,
    cast(rates.estimate as {{ type_double() }}) as usage_rate,
    cast(rates.ci_low as {{ type_double() }}) as usage_rate_ci_low,
    cast(rates.ci_high as {{ type_double() }}) as usage_rate_ci_high,
    cast(yearly.users_observed as {{ type_double() }}) / yearly.members_observed
        as usage_rate_unweighted,
    cast(yearly.new_users_observed as {{ dbt.type_bigint() }}) as new_users_observed,
    cast(yearly.new_users_extrapolated as {{ type_double() }}) as new_users_extrapolated,
    cast(
        sum(yearly.new_users_observed) over (order by yearly.year rows unbounded preceding)
        as {{ dbt.type_bigint() }}
    ) as cumulative_users_observed,
    cast(
        sum(yearly.new_users_extrapolated) over (order by yearly.year rows unbounded preceding)
        as {{ type_double() }}
    ) as cumulative_users_extrapolated,
    cast(
        sum(yearly.new_users_extrapolated) over (order by yearly.year rows unbounded preceding)
        / yearly.population as {{ type_double() }}
    ) as cumulative_usage_rate
from yearly
inner join rates
    on yearly.year = rates.year
