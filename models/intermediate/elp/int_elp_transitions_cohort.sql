-- The transitions cohort of Figures 12-14 (mart_elp_care_transitions,
-- mart_elp_individual_trajectories): trajectories whose first session lies between vars
-- transitions_cohort_start and transitions_cohort_end (1 January - 15 December 2023), whose
-- member stays affiliated over the 18 months from t0 and is weighted in the cohort year.
-- One row per trajectory with its weighting group and the care of int_elp_trajectory_care
-- the two marts read.
{%- set cohort_start = "cast('" ~ strict_date_var('transitions_cohort_start') ~ "' as date)" %}
{%- set cohort_end = "cast('" ~ strict_date_var('transitions_cohort_end') ~ "' as date)" %}
select
    trajectories.member_id,
    trajectories.trajectory_number,
    trajectories.cohort_year,
    trajectories.weighting_group,
    trajectories.group_population,
    trajectories.group_members,
    trajectories.expansion_factor,
    {%- for period in ['before', 'during', 'after'] %}
        care.care_category_{{ period }},
        care.has_antidepressant_{{ period }},
        care.has_psychiatrist_{{ period }},
    {%- endfor %}
    -- both marts split by ELP use in the after period under this name
    case when care.has_elp_after then 'with_elp_after' else 'without_elp_after' end as elp_status
from {{ ref('int_elp_trajectories') }} as trajectories
inner join {{ ref('int_elp_trajectory_care') }} as care
    on
        trajectories.member_id = care.member_id
        and trajectories.trajectory_number = care.trajectory_number
where
    trajectories.first_session_date between {{ cohort_start }} and {{ cohort_end }}
    and trajectories.is_affiliated_after_window
    and trajectories.has_member_year
