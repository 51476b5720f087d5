-- Individual yes/no patterns before-during-after (Figures 13-14) for antidepressants and
-- psychiatrist consultations, in the transitions cohort of mart_elp_care_transitions. A
-- pattern is 'Y-N-N' = care before, none during, none after. Shares are weighted; the
-- study's reading base is the start group (patients with / without the care before), so
-- `share_of_start_group` divides by the start group and `share_of_cohort` by all patients;
-- both are also split by ELP use in the after period.
{%- set cohort_start = "cast('" ~ var('transitions_cohort_start') ~ "' as date)" %}
{%- set cohort_end = "cast('" ~ var('transitions_cohort_end') ~ "' as date)" %}
with

cohort as (
    select
        trajectories.cohort_year,
        trajectories.weighting_group,
        trajectories.group_population,
        trajectories.group_members,
        trajectories.expansion_factor,
        care.has_antidepressant_before,
        care.has_antidepressant_during,
        care.has_antidepressant_after,
        care.has_psychiatrist_before,
        care.has_psychiatrist_during,
        care.has_psychiatrist_after,
        care.has_elp_after
    from {{ ref('int_elp_trajectories') }} as trajectories
    inner join {{ ref('int_elp_trajectory_care') }} as care
        on
            trajectories.member_id = care.member_id
            and trajectories.trajectory_number = care.trajectory_number
    where
        trajectories.first_session_date between {{ cohort_start }} and {{ cohort_end }}
        and trajectories.is_affiliated_after_window
        and trajectories.has_member_year
),

patterns as (
    select
        'antidepressants' as care_type,
        cohort_year,
        weighting_group,
        group_population,
        group_members,
        expansion_factor,
        has_elp_after,
        case when has_antidepressant_before then 'Y' else 'N' end as before_flag,
        case when has_antidepressant_during then 'Y' else 'N' end as during_flag,
        case when has_antidepressant_after then 'Y' else 'N' end as after_flag
    from cohort
    union all
    select
        'psychiatrist' as care_type,
        cohort_year,
        weighting_group,
        group_population,
        group_members,
        expansion_factor,
        has_elp_after,
        case when has_psychiatrist_before then 'Y' else 'N' end as before_flag,
        case when has_psychiatrist_during then 'Y' else 'N' end as during_flag,
        case when has_psychiatrist_after then 'Y' else 'N' end as after_flag
    from cohort
),

cells as (
    select
        care_type,
        cohort_year,
        weighting_group,
        group_population,
        group_members,
        expansion_factor,
        has_elp_after,
        before_flag,
        {{ dbt.concat(['before_flag', "'-'", 'during_flag', "'-'", 'after_flag']) }} as pattern,
        count(*) as patients
    from patterns
    group by
        care_type, cohort_year, weighting_group, group_population, group_members,
        expansion_factor, has_elp_after, before_flag, during_flag, after_flag
),

flags as (
    select 'Y' as flag
    union all
    select 'N' as flag
),

target_patterns as (
    select
        before_flags.flag as target_before_flag,
        {{ dbt.concat(['before_flags.flag', "'-'", 'during_flags.flag', "'-'", 'after_flags.flag']) }}
            as target_pattern
    from flags as before_flags
    cross join flags as during_flags
    cross join flags as after_flags
),

elp_statuses as (
    select 'all' as elp_after
    union all
    select 'with_elp_after' as elp_after
    union all
    select 'without_elp_after' as elp_after
),

share_input as (
    select
        cells.cohort_year,
        cells.care_type,
        target_patterns.target_pattern as pattern,
        elp_statuses.elp_after,
        case when target_patterns.target_before_flag = 'Y' then 'before' else 'not_before' end
            as start_group,
        cells.weighting_group,
        cells.group_population,
        cells.group_members,
        cells.patients,
        cells.patients * cells.expansion_factor as patients_extrapolated,
        case
            when
                cells.pattern = target_patterns.target_pattern
                and (
                    elp_statuses.elp_after = 'all'
                    or (elp_statuses.elp_after = 'with_elp_after' and cells.has_elp_after)
                    or (elp_statuses.elp_after = 'without_elp_after' and not cells.has_elp_after)
                )
                then 1
            else 0
        end as y,
        -- the start group: same care status before as the target pattern
        case when cells.before_flag = target_patterns.target_before_flag then 1 else 0 end
            as in_start_group,
        1 as x
    from cells
    cross join target_patterns
    cross join elp_statuses
),

shares_of_start_group as (
    {{ poststratified_ratio(
        'share_input', ['cohort_year', 'care_type', 'pattern', 'elp_after'], 'y', 'in_start_group',
        unit_count='patients'
    ) }}
),

shares_of_cohort as (
    {{ poststratified_ratio(
        'share_input', ['cohort_year', 'care_type', 'pattern', 'elp_after'], 'y', 'x',
        unit_count='patients'
    ) }}
),

counts as (
    select
        cohort_year,
        care_type,
        pattern,
        elp_after,
        start_group,
        sum(y * patients) as patients_observed,
        sum(y * patients_extrapolated) as patients_extrapolated,
        sum(in_start_group * patients) as start_group_patients_observed,
        sum(in_start_group * patients_extrapolated) as start_group_patients_extrapolated
    from share_input
    group by cohort_year, care_type, pattern, elp_after, start_group
)

select
    cast(counts.cohort_year as {{ dbt.type_int() }}) as cohort_year,
    cast(counts.care_type as {{ dbt.type_string() }}) as care_type,
    cast(counts.pattern as {{ dbt.type_string() }}) as pattern,
    cast(counts.elp_after as {{ dbt.type_string() }}) as elp_after,
    cast(counts.start_group as {{ dbt.type_string() }}) as start_group,
    cast(counts.patients_observed as {{ dbt.type_bigint() }}) as patients_observed,
    cast(counts.patients_extrapolated as {{ type_double() }}) as patients_extrapolated,
    cast(counts.start_group_patients_observed as {{ dbt.type_bigint() }})
        as start_group_patients_observed,
    cast(counts.start_group_patients_extrapolated as {{ type_double() }})
        as start_group_patients_extrapolated,
    cast(shares_of_start_group.estimate as {{ type_double() }}) as share_of_start_group,
    cast(shares_of_start_group.ci_low as {{ type_double() }}) as share_of_start_group_ci_low,
    cast(shares_of_start_group.ci_high as {{ type_double() }}) as share_of_start_group_ci_high,
    cast(shares_of_cohort.estimate as {{ type_double() }}) as share_of_cohort,
    cast(shares_of_cohort.ci_low as {{ type_double() }}) as share_of_cohort_ci_low,
    cast(shares_of_cohort.ci_high as {{ type_double() }}) as share_of_cohort_ci_high
from counts
inner join shares_of_start_group
    on
        counts.cohort_year = shares_of_start_group.cohort_year
        and counts.care_type = shares_of_start_group.care_type
        and counts.pattern = shares_of_start_group.pattern
        and counts.elp_after = shares_of_start_group.elp_after
inner join shares_of_cohort
    on
        counts.cohort_year = shares_of_cohort.cohort_year
        and counts.care_type = shares_of_cohort.care_type
        and counts.pattern = shares_of_cohort.pattern
        and counts.elp_after = shares_of_cohort.elp_after
