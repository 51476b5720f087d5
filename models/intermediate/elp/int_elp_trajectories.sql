-- One row per ELP trajectory. A trajectory starts with a session day preceded by no session in
-- the previous `trajectory_gap_months` (the study's "eerste sessie" / "jaar waarin het traject
-- start" without a rule for returning patients: a year without sessions is read as the end of
-- a trajectory, so a patient back after a long gap starts a new one). Sessions only: trajectory
-- services (reports, concertation) neither start a trajectory nor count. Corrections are
-- netted in staging, so a cancelled session is simply absent. The 12-month window is
-- [first session, first session + window) - a session on the same date 12 months later falls
-- outside. Cohort = calendar year of the first session. Inclusion flags are kept as columns so
-- each mart states its own population.
{%- set gap = var('trajectory_gap_months') | int %}
{%- set window = var('sessions_window_months') | int %}
{%- set after = var('after_window_months') | int %}
{%- set margin = var('cohort_billing_margin_days') | int %}
{%- set extraction_date = "cast('" ~ var('extraction_date') ~ "' as date)" %}
with

session_lines as (
    select
        member_id,
        event_date as session_date,
        quantity,
        elp_function,
        elp_network_type,
        elp_setting,
        -- several settings on the first day: the order of the marts spec decides
        case elp_setting
            when 'office' then 1
            when 'outreach' then 2
            when 'group' then 3
            when 'remote' then 4
            when 'home' then 5
            else 6
        end as setting_rank
    from {{ ref('int_elp_user_events') }}
    where care_type = 'elp_session' and quantity > 0
),

session_days as (
    select
        member_id,
        session_date,
        sum(quantity) as sessions,
        min(setting_rank) as setting_rank,
        min(elp_network_type) as network_type,
        max(case when elp_function = 'support' then 1 else 0 end) as has_support,
        max(case when elp_function = 'treatment' then 1 else 0 end) as has_treatment
    from session_lines
    group by member_id, session_date
),

session_days_with_previous as (
    select
        *,
        lag(session_date) over (partition by member_id order by session_date) as previous_session_date
    from session_days
),

session_days_flagged as (
    select
        *,
        case
            when previous_session_date is null then 1
            when previous_session_date < {{ dbt.dateadd('month', -gap, 'session_date') }} then 1
            else 0
        end as is_start
    from session_days_with_previous
),

session_days_in_trajectory as (
    select
        *,
        max(case when is_start = 1 then session_date end) over (
            partition by member_id order by session_date rows between unbounded preceding and current row
        ) as first_session_date
    from session_days_flagged
),

trajectories as (
    select
        member_id,
        first_session_date,
        cast({{ dbt.dateadd('month', window, 'first_session_date') }} as date) as window_end_date,
        max(case when is_start = 1 then setting_rank end) as first_setting_rank,
        max(case when is_start = 1 then network_type end) as network_type,
        sum(
            case
                when session_date < {{ dbt.dateadd('month', window, 'first_session_date') }}
                    then sessions
                else 0
            end
        ) as sessions_12m,
        max(
            case
                when session_date < {{ dbt.dateadd('month', window, 'first_session_date') }}
                    then has_support
                else 0
            end
        ) as has_support_12m,
        max(
            case
                when session_date < {{ dbt.dateadd('month', window, 'first_session_date') }}
                    then has_treatment
                else 0
            end
        ) as has_treatment_12m,
        sum(sessions) as sessions_total,
        max(session_date) as last_session_date
    from session_days_in_trajectory
    group by member_id, first_session_date
),

numbered as (
    select
        *,
        cast(extract(year from first_session_date) as {{ dbt.type_int() }}) as cohort_year,
        row_number() over (partition by member_id order by first_session_date) as trajectory_number
    from trajectories
),

affiliation as (
    -- merged spells: one spell covering [a, b] means continuous affiliation over [a, b]
    select
        numbered.member_id,
        numbered.first_session_date,
        max(
            case
                when
                    spells.start_date <= numbered.first_session_date
                    and spells.end_date_effective >= {{ dbt.dateadd('day', -1, 'numbered.window_end_date') }}
                    then 1
                else 0
            end
        ) as is_affiliated_window,
        max(
            case
                when
                    spells.start_date <= numbered.first_session_date
                    and spells.end_date_effective >= {{ dbt.dateadd(
                        'day', -1, dbt.dateadd('month', window + after, 'numbered.first_session_date')
                    ) }}
                    then 1
                else 0
            end
        ) as is_affiliated_after_window,
        max(
            case
                when
                    spells.start_date <= {{ dbt.dateadd(
                        'year', -2, dbt.date_trunc('year', 'numbered.first_session_date')
                    ) }}
                    and spells.end_date_effective >= least(
                        {{ dbt.dateadd(
                            'day', -1, dbt.dateadd('year', 1, dbt.date_trunc('year', 'numbered.first_session_date'))
                        ) }},
                        {{ extraction_date }}
                    )
                    then 1
                else 0
            end
        ) as is_affiliated_prior_years
    from numbered
    inner join {{ ref('stg_affiliation_periods') }} as spells
        on numbered.member_id = spells.member_id
    group by numbered.member_id, numbered.first_session_date
)

select
    numbered.member_id,
    cast(numbered.trajectory_number as {{ dbt.type_int() }}) as trajectory_number,
    numbered.cohort_year,
    numbered.first_session_date,
    numbered.window_end_date,
    case numbered.first_setting_rank
        when 1 then 'office'
        when 2 then 'outreach'
        when 3 then 'group'
        when 4 then 'remote'
        when 5 then 'home'
    end as first_setting,
    numbered.network_type,
    cast(numbered.sessions_12m as {{ dbt.type_int() }}) as sessions_12m,
    case
        when numbered.has_support_12m = 1 and numbered.has_treatment_12m = 1 then 'both'
        when numbered.has_treatment_12m = 1 then 'treatment'
        when numbered.has_support_12m = 1 then 'support'
    end as function_12m,
    cast(numbered.sessions_total as {{ dbt.type_int() }}) as sessions_total,
    numbered.last_session_date,
    -- the whole window, plus the billing-lag margin, lies before the extraction
    {{ dbt.dateadd('day', margin, 'numbered.window_end_date') }} <= {{ extraction_date }}
        as is_window_observed,
    coalesce(affiliation.is_affiliated_window, 0) = 1 as is_affiliated_window,
    -- the session cohort of mart_elp_sessions_per_patient, defined once: window observed,
    -- affiliated over it, and weighted in the cohort year
    (
        {{ dbt.dateadd('day', margin, 'numbered.window_end_date') }} <= {{ extraction_date }}
        and coalesce(affiliation.is_affiliated_window, 0) = 1
        and member_years.member_id is not null
    ) as is_session_cohort,
    coalesce(affiliation.is_affiliated_after_window, 0) = 1 as is_affiliated_after_window,
    coalesce(affiliation.is_affiliated_prior_years, 0) = 1 as is_affiliated_prior_years,
    -- the member's attributes and weighting group in the cohort year
    member_years.member_id is not null as has_member_year,
    member_years.age_group,
    member_years.sex,
    member_years.vt,
    member_years.region,
    member_years.province_code,
    member_years.socio_professional,
    member_years.placed_child,
    member_years.detained,
    member_years.unemployed,
    member_years.primary_incapacity,
    member_years.invalidity,
    member_years.social_assistance,
    member_years.weighting_group,
    member_years.group_population,
    member_years.group_members,
    member_years.expansion_factor
from numbered
left join affiliation
    on
        numbered.member_id = affiliation.member_id
        and numbered.first_session_date = affiliation.first_session_date
left join {{ ref('int_elp_user_years') }} as member_years
    on
        numbered.member_id = member_years.member_id
        and numbered.cohort_year = member_years.year
where numbered.cohort_year between {{ var('elp_start_year') }} and {{ var('last_year') }}
