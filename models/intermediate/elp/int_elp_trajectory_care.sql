-- Mental-health care around each ELP trajectory's first session t0, in the study's three
-- periods (section 3.3.5): before = [t0 - prior_care_months, t0), during = [t0, t0 + 12
-- months), after = [t0 + 12 months, t0 + 18 months). One row per trajectory with a yes/no flag
-- per care type and period, and one exclusive category per period. The category order puts
-- the ambulatory psychiatrist first (fn 19); the rest follows the Figure 1 logic (ambulatory
-- follow-up before acute/residential care, psychotropics only when nothing else):
-- psychiatrist > non-conventioned (AV) psychologist > acute/residential > psychotropics only
-- > none. ELP itself is not a category ("andere geestelijke gezondheidszorg"); ELP use in the
-- after period is its own flag (Figure 12's split).
{%- set window = var('sessions_window_months') | int %}
{%- set after = var('after_window_months') | int %}
{%- set prior = var('prior_care_months') | int %}
{%- set periods = ['before', 'during', 'after'] %}
{#- flag name: the condition on an event of events_in_periods -#}
{%- set care_flags = {
    'psychiatrist': "care = 'psychiatrist'",
    'av_psychologist': "care = 'av_psychologist'",
    'acute_residential': "care = 'acute_residential'",
    'psychotropic': "care = 'psychotropic'",
    'antidepressant': 'is_antidepressant',
    'elp': "care = 'elp'",
} %}
{#- the exclusive category of a period: the first flag set, in this order -#}
{%- set categories = {
    'psychiatrist': 'psychiatrist',
    'av_psychologist': 'non_conventioned_psychologist',
    'acute_residential': 'acute_residential',
    'psychotropic': 'psychotropics_only',
} %}
with

trajectories as (
    select
        member_id,
        trajectory_number,
        first_session_date,
        cast({{ dbt.dateadd('month', -prior, 'first_session_date') }} as date) as before_start_date,
        window_end_date as during_end_date,
        cast({{ dbt.dateadd('month', window + after, 'first_session_date') }} as date) as after_end_date
    from {{ ref('int_elp_trajectories') }}
),

events_in_periods as (
    select
        trajectories.member_id,
        trajectories.trajectory_number,
        case
            when events.care_type = 'psychiatrist_ambulatory' then 'psychiatrist'
            when events.care_type in ('acute_psychiatric', 'rehab_residential') then 'acute_residential'
            when {{ elp_service_condition('events.care_type') }} then 'elp'
            else events.care_type
        end as care,
        events.atc_class = 'antidepressant' as is_antidepressant,
        case
            when events.event_date < trajectories.first_session_date then 'before'
            when events.event_date < trajectories.during_end_date then 'during'
            else 'after'
        end as period
    from trajectories
    inner join {{ ref('int_elp_user_events') }} as events
        on
            trajectories.member_id = events.member_id
            and trajectories.before_start_date <= events.event_date
            and trajectories.after_end_date > events.event_date
            and events.quantity > 0
),

flags as (
    select
        {%- for period in periods %}
            {%- for care, condition in care_flags.items() %}
                {{ dbt.bool_or("period = '" ~ period ~ "' and " ~ condition) }}
                    as has_{{ care }}_{{ period }},
            {%- endfor %}
        {%- endfor %}
        member_id,
        trajectory_number
    from events_in_periods
    group by member_id, trajectory_number
)

select
    trajectories.member_id,
    trajectories.trajectory_number,
    {%- for period in periods %}
        {%- for care in care_flags %}
            coalesce(flags.has_{{ care }}_{{ period }}, false) as has_{{ care }}_{{ period }},
        {%- endfor %}
    {%- endfor %}
    -- a trajectory without any event in the periods has no flags row: category none
    {% for period in periods -%}
        case
            {%- for care, category in categories.items() %}
                when flags.has_{{ care }}_{{ period }} then '{{ category }}'
            {%- endfor %}
            else 'none'
        end as care_category_{{ period }}{% if not loop.last %},{% endif %}
    {% endfor -%}
from trajectories
left join flags
    on
        trajectories.member_id = flags.member_id
        and trajectories.trajectory_number = flags.trajectory_number
