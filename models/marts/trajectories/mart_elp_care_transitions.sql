-- Care before / during / after the first ELP session (Figure 12): the transitions cohort
-- (first session between vars transitions_cohort_start and transitions_cohort_end, i.e.
-- 1 January - 15 December 2023, continuously affiliated over the 18 months from t0). Per
-- period one exclusive category of other mental-health care (int_elp_trajectory_care), as
-- weighted shares of all cohort patients, also split by ELP use in the after period.
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
        care.care_category_before,
        care.care_category_during,
        care.care_category_after,
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

periods as (
    select
        'before' as period,
        cohort_year,
        weighting_group,
        group_population,
        group_members,
        expansion_factor,
        care_category_before as care_category,
        has_elp_after
    from cohort
    union all
    select
        'during' as period,
        cohort_year,
        weighting_group,
        group_population,
        group_members,
        expansion_factor,
        care_category_during as care_category,
        has_elp_after
    from cohort
    union all
    select
        'after' as period,
        cohort_year,
        weighting_group,
        group_population,
        group_members,
        expansion_factor,
        care_category_after as care_category,
        has_elp_after
    from cohort
),

cells as (
    select
        cohort_year,
        period,
        weighting_group,
        group_population,
        group_members,
        expansion_factor,
        case when care_category = 'none' then 'none_other' else care_category end as care_category,
        has_elp_after,
        count(*) as patients
    from periods
    group by
        cohort_year, period, weighting_group, group_population, group_members, expansion_factor,
        care_category, has_elp_after
),

care_types as (
    select 'none_other' as care_type
    union all
    select 'psychiatrist' as care_type
    union all
    select 'non_conventioned_psychologist' as care_type
    union all
    select 'acute_residential' as care_type
    union all
    select 'psychotropics_only' as care_type
    union all
    -- every patient: with elp_status = with_elp_after, the share still using ELP after a year
    select 'all' as care_type
),

elp_statuses as (
    select 'all' as elp_status
    union all
    select 'with_elp_after' as elp_status
    union all
    select 'without_elp_after' as elp_status
),

share_input as (
    select
        cells.cohort_year,
        care_types.care_type,
        cells.period,
        elp_statuses.elp_status,
        cells.weighting_group,
        cells.group_population,
        cells.group_members,
        cells.patients,
        cells.patients * cells.expansion_factor as patients_extrapolated,
        case
            when
                (care_types.care_type = 'all' or cells.care_category = care_types.care_type)
                and (
                    elp_statuses.elp_status = 'all'
                    or (elp_statuses.elp_status = 'with_elp_after' and cells.has_elp_after)
                    or (elp_statuses.elp_status = 'without_elp_after' and not cells.has_elp_after)
                )
                then 1
            else 0
        end as y,
        1 as x
    from cells
    cross join care_types
    cross join elp_statuses
),

shares as (
    {{ poststratified_ratio(
        'share_input', ['cohort_year', 'care_type', 'period', 'elp_status'], 'y', 'x',
        unit_count='patients'
    ) }}
),

counts as (
    select
        cohort_year,
        care_type,
        period,
        elp_status,
        sum(y * patients) as patients_observed,
        sum(y * patients_extrapolated) as patients_extrapolated,
        sum(patients) as cohort_patients_observed
    from share_input
    group by cohort_year, care_type, period, elp_status
),

labels as (
    select * from {{ ref('labels') }}
)

select
    cast(counts.cohort_year as {{ dbt.type_int() }}) as cohort_year,
    cast(counts.care_type as {{ dbt.type_string() }}) as care_type,
    cast(counts.period as {{ dbt.type_string() }}) as period,
    cast(counts.elp_status as {{ dbt.type_string() }}) as elp_status,
    cast(counts.patients_observed as {{ dbt.type_bigint() }}) as patients_observed,
    cast(counts.patients_extrapolated as {{ type_double() }}) as patients_extrapolated,
    cast(counts.cohort_patients_observed as {{ dbt.type_bigint() }}) as cohort_patients_observed,
    cast(shares.estimate as {{ type_double() }}) as share,
    cast(shares.ci_low as {{ type_double() }}) as share_ci_low,
    cast(shares.ci_high as {{ type_double() }}) as share_ci_high,
    cast(labels.label_nl as {{ dbt.type_string() }}) as label_nl,
    cast(labels.label_fr as {{ dbt.type_string() }}) as label_fr,
    cast(labels.label_en as {{ dbt.type_string() }}) as label_en
from counts
inner join shares
    on
        counts.cohort_year = shares.cohort_year
        and counts.care_type = shares.care_type
        and counts.period = shares.period
        and counts.elp_status = shares.elp_status
left join labels
    on
        labels.dimension = 'care_type'
        and counts.care_type = labels.category
