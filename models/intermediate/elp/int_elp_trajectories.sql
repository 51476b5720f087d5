-- One row per ELP trajectory (int_elp_trajectory_sessions) with who may be counted: inclusion
-- flags kept as columns so each mart states its own population, and the member's attributes
-- and weighting group in the cohort year (calendar year of the first session).
{%- set window = var('sessions_window_months') | int %}
{%- set after = var('after_window_months') | int %}
{%- set margin = var('cohort_billing_margin_days') | int %}
{%- set extraction_date = extraction_date_literal() %}
with

trajectories as (
    select
        *,
        -- the whole window, plus the billing-lag margin, lies before the extraction
        {{ dbt.dateadd('day', margin, 'window_end_date') }} <= {{ extraction_date }} as is_window_observed,
        -- the first and last day each affiliation flag needs covered
        {{ dbt.dateadd('day', -1, 'window_end_date') }} as window_last_day,
        {{ dbt.dateadd('day', -1, dbt.dateadd('month', window + after, 'first_session_date')) }}
            as after_window_last_day,
        {{ dbt.dateadd('year', -2, dbt.date_trunc('year', 'first_session_date')) }}
            as prior_years_first_day,
        least(
            {{ dbt.dateadd(
                'day', -1, dbt.dateadd('year', 1, dbt.date_trunc('year', 'first_session_date'))
            ) }},
            {{ extraction_date }}
        ) as cohort_year_last_day
    from {{ ref('int_elp_trajectory_sessions') }}
),

-- merged spells: one spell covering [a, b] means continuous affiliation over [a, b]
affiliation as (
    select
        trajectories.member_id,
        trajectories.trajectory_number,
        {{ dbt.bool_or(
            'spells.start_date <= trajectories.first_session_date'
            ~ ' and spells.end_date_effective >= trajectories.window_last_day'
        ) }} as is_affiliated_window,
        {{ dbt.bool_or(
            'spells.start_date <= trajectories.first_session_date'
            ~ ' and spells.end_date_effective >= trajectories.after_window_last_day'
        ) }} as is_affiliated_after_window,
        {{ dbt.bool_or(
            'spells.start_date <= trajectories.prior_years_first_day'
            ~ ' and spells.end_date_effective >= trajectories.cohort_year_last_day'
        ) }} as is_affiliated_prior_years
    from trajectories
    inner join {{ ref('int_affiliation_spells') }} as spells
        on trajectories.member_id = spells.member_id
    group by trajectories.member_id, trajectories.trajectory_number
)

select
    trajectories.member_id,
    trajectories.trajectory_number,
    trajectories.cohort_year,
    trajectories.first_session_date,
    trajectories.window_end_date,
    trajectories.first_setting,
    trajectories.network_type,
    trajectories.sessions_12m,
    trajectories.function_12m,
    trajectories.sessions_total,
    trajectories.last_session_date,
    trajectories.is_window_observed,
    coalesce(affiliation.is_affiliated_window, false) as is_affiliated_window,
    -- the session cohort of mart_elp_sessions_per_patient, defined once: window observed,
    -- affiliated over it, and weighted in the cohort year
    (
        trajectories.is_window_observed
        and coalesce(affiliation.is_affiliated_window, false)
        and member_years.member_id is not null
    ) as is_session_cohort,
    coalesce(affiliation.is_affiliated_after_window, false) as is_affiliated_after_window,
    coalesce(affiliation.is_affiliated_prior_years, false) as is_affiliated_prior_years,
    member_years.member_id is not null as has_member_year,
    {{ breakdown_columns() }},
    member_years.weighting_group,
    member_years.group_population,
    member_years.group_members,
    member_years.expansion_factor
from trajectories
left join affiliation
    on
        trajectories.member_id = affiliation.member_id
        and trajectories.trajectory_number = affiliation.trajectory_number
left join {{ ref('int_elp_user_years') }} as member_years
    on
        trajectories.member_id = member_years.member_id
        and trajectories.cohort_year = member_years.year
