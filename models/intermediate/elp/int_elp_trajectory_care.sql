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
            when {{ elp_warehouse.elp_service_condition('events.care_type') }} then 'elp'
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
        member_id,
        trajectory_number,
        max(case when period = 'before' and care = 'psychiatrist' then 1 else 0 end)
            as has_psychiatrist_before,
        max(case when period = 'before' and care = 'av_psychologist' then 1 else 0 end)
            as has_av_psychologist_before,
        max(case when period = 'before' and care = 'acute_residential' then 1 else 0 end)
            as has_acute_residential_before,
        max(case when period = 'before' and care = 'psychotropic' then 1 else 0 end)
            as has_psychotropic_before,
        max(case when period = 'before' and is_antidepressant then 1 else 0 end)
            as has_antidepressant_before,
        max(case when period = 'before' and care = 'elp' then 1 else 0 end)
            as has_elp_before,
        max(case when period = 'during' and care = 'psychiatrist' then 1 else 0 end)
            as has_psychiatrist_during,
        max(case when period = 'during' and care = 'av_psychologist' then 1 else 0 end)
            as has_av_psychologist_during,
        max(case when period = 'during' and care = 'acute_residential' then 1 else 0 end)
            as has_acute_residential_during,
        max(case when period = 'during' and care = 'psychotropic' then 1 else 0 end)
            as has_psychotropic_during,
        max(case when period = 'during' and is_antidepressant then 1 else 0 end)
            as has_antidepressant_during,
        max(case when period = 'during' and care = 'elp' then 1 else 0 end)
            as has_elp_during,
        max(case when period = 'after' and care = 'psychiatrist' then 1 else 0 end)
            as has_psychiatrist_after,
        max(case when period = 'after' and care = 'av_psychologist' then 1 else 0 end)
            as has_av_psychologist_after,
        max(case when period = 'after' and care = 'acute_residential' then 1 else 0 end)
            as has_acute_residential_after,
        max(case when period = 'after' and care = 'psychotropic' then 1 else 0 end)
            as has_psychotropic_after,
        max(case when period = 'after' and is_antidepressant then 1 else 0 end)
            as has_antidepressant_after,
        max(case when period = 'after' and care = 'elp' then 1 else 0 end)
            as has_elp_after
    from events_in_periods
    group by member_id, trajectory_number
),

all_trajectories as (
    select
        trajectories.member_id,
        trajectories.trajectory_number,
        coalesce(flags.has_psychiatrist_before, 0) = 1 as has_psychiatrist_before,
        coalesce(flags.has_av_psychologist_before, 0) = 1 as has_av_psychologist_before,
        coalesce(flags.has_acute_residential_before, 0) = 1 as has_acute_residential_before,
        coalesce(flags.has_psychotropic_before, 0) = 1 as has_psychotropic_before,
        coalesce(flags.has_antidepressant_before, 0) = 1 as has_antidepressant_before,
        coalesce(flags.has_elp_before, 0) = 1 as has_elp_before,
        coalesce(flags.has_psychiatrist_during, 0) = 1 as has_psychiatrist_during,
        coalesce(flags.has_av_psychologist_during, 0) = 1 as has_av_psychologist_during,
        coalesce(flags.has_acute_residential_during, 0) = 1 as has_acute_residential_during,
        coalesce(flags.has_psychotropic_during, 0) = 1 as has_psychotropic_during,
        coalesce(flags.has_antidepressant_during, 0) = 1 as has_antidepressant_during,
        coalesce(flags.has_elp_during, 0) = 1 as has_elp_during,
        coalesce(flags.has_psychiatrist_after, 0) = 1 as has_psychiatrist_after,
        coalesce(flags.has_av_psychologist_after, 0) = 1 as has_av_psychologist_after,
        coalesce(flags.has_acute_residential_after, 0) = 1 as has_acute_residential_after,
        coalesce(flags.has_psychotropic_after, 0) = 1 as has_psychotropic_after,
        coalesce(flags.has_antidepressant_after, 0) = 1 as has_antidepressant_after,
        coalesce(flags.has_elp_after, 0) = 1 as has_elp_after
    from trajectories
    left join flags
        on
            trajectories.member_id = flags.member_id
            and trajectories.trajectory_number = flags.trajectory_number
)

select
    *,
    case
        when has_psychiatrist_before then 'psychiatrist'
        when has_av_psychologist_before then 'non_conventioned_psychologist'
        when has_acute_residential_before then 'acute_residential'
        when has_psychotropic_before then 'psychotropics_only'
        else 'none'
    end as care_category_before,
    case
        when has_psychiatrist_during then 'psychiatrist'
        when has_av_psychologist_during then 'non_conventioned_psychologist'
        when has_acute_residential_during then 'acute_residential'
        when has_psychotropic_during then 'psychotropics_only'
        else 'none'
    end as care_category_during,
    case
        when has_psychiatrist_after then 'psychiatrist'
        when has_av_psychologist_after then 'non_conventioned_psychologist'
        when has_acute_residential_after then 'acute_residential'
        when has_psychotropic_after then 'psychotropics_only'
        else 'none'
    end as care_category_after
from all_trajectories
