-- One row per ELP trajectory with what its sessions say. A trajectory starts with a session day
-- preceded by no session in the previous `trajectory_gap_months` (the study's "eerste sessie" /
-- "jaar waarin het traject start" without a rule for returning patients: a year without
-- sessions is read as the end of a trajectory, so a patient back after a long gap starts a new
-- one). Sessions only: trajectory services (reports, concertation) neither start a trajectory
-- nor count. Corrections are netted in staging, so a cancelled session is simply absent. The
-- window is [first session, first session + window): a session on the same date 12 months
-- later falls outside. Who may be counted (observation, affiliation, weighting) is added by
-- int_elp_trajectories.
{{ config(materialized='view') }}
{%- set gap = var('trajectory_gap_months') | int %}
{%- set window = var('sessions_window_months') | int %}
{#- several settings on the first day: the order of the marts spec decides -#}
{%- set settings = ['office', 'outreach', 'group', 'remote', 'home'] %}
with

session_days as (
    select
        member_id,
        event_date as session_date,
        sum(quantity) as sessions,
        min(
            case elp_setting
                {%- for setting in settings %}
                    when '{{ setting }}' then {{ loop.index }}
                {%- endfor %}
            end
        ) as setting_rank,
        min(elp_network_type) as network_type,
        {{ dbt.bool_or("elp_function = 'support'") }} as has_support,
        {{ dbt.bool_or("elp_function = 'treatment'") }} as has_treatment
    from {{ ref('int_elp_user_events') }}
    where care_type = 'elp_session' and quantity > 0
    group by member_id, event_date
),

session_days_flagged as (
    select
        *,
        -- the member's first session day, or the first after a gap longer than the limit
        coalesce(
            lag(session_date) over (partition by member_id order by session_date)
            < {{ dbt.dateadd('month', -gap, 'session_date') }},
            true
        ) as is_start
    from session_days
),

session_days_in_trajectory as (
    select
        *,
        max(case when is_start then session_date end) over (
            partition by member_id order by session_date rows between unbounded preceding and current row
        ) as first_session_date
    from session_days_flagged
),

session_days_in_window as (
    select
        *,
        session_date < {{ dbt.dateadd('month', window, 'first_session_date') }} as is_in_window
    from session_days_in_trajectory
),

trajectories as (
    select
        member_id,
        first_session_date,
        max(case when is_start then setting_rank end) as first_setting_rank,
        max(case when is_start then network_type end) as network_type,
        sum(case when is_in_window then sessions else 0 end) as sessions_12m,
        {{ dbt.bool_or('is_in_window and has_support') }} as has_support_12m,
        {{ dbt.bool_or('is_in_window and has_treatment') }} as has_treatment_12m,
        sum(sessions) as sessions_total,
        max(session_date) as last_session_date
    from session_days_in_window
    group by member_id, first_session_date
),

numbered as (
    select
        *,
        cast(extract(year from first_session_date) as {{ dbt.type_int() }}) as cohort_year,
        row_number() over (partition by member_id order by first_session_date) as trajectory_number
    from trajectories
)

select
    member_id,
    cast(trajectory_number as {{ dbt.type_int() }}) as trajectory_number,
    cohort_year,
    first_session_date,
    cast({{ dbt.dateadd('month', window, 'first_session_date') }} as date) as window_end_date,
    case first_setting_rank
        {%- for setting in settings %}
            when {{ loop.index }} then '{{ setting }}'
        {%- endfor %}
    end as first_setting,
    network_type,
    cast(sessions_12m as {{ dbt.type_int() }}) as sessions_12m,
    case
        when has_support_12m and has_treatment_12m then 'both'
        when has_treatment_12m then 'treatment'
        when has_support_12m then 'support'
    end as function_12m,
    cast(sessions_total as {{ dbt.type_int() }}) as sessions_total,
    last_session_date
from numbered
where cohort_year between {{ var('elp_start_year') }} and {{ var('last_year') }}
