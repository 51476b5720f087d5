-- Individual yes/no patterns before-during-after (Figures 13-14) for antidepressants and
-- psychiatrist consultations, in the transitions cohort (int_elp_transitions_cohort). A
-- pattern is 'Y-N-N' = care before, none during, none after. Shares are weighted; the
-- study's reading base is the start group (patients with / without the care before), so
-- `share_of_start_group` divides by the start group and `share_of_cohort` by all patients;
-- both are also split by ELP use in the after period.
{%- set care_type_flags = {'antidepressants': 'has_antidepressant', 'psychiatrist': 'has_psychiatrist'} %}
{%- set elp_statuses = ['all', 'with_elp_after', 'without_elp_after'] %}
with

cells as (
    {% for care_type, flag in care_type_flags.items() -%}
        {% if not loop.first %}union all{% endif %}
        select
            '{{ care_type }}' as care_type,
            cohort_year,
            weighting_group,
            group_population,
            group_members,
            elp_status,
            case when {{ flag }}_before then 'Y' else 'N' end as before_flag,
            {{ dbt.concat([
                "case when " ~ flag ~ "_before then 'Y' else 'N' end", "'-'",
                "case when " ~ flag ~ "_during then 'Y' else 'N' end", "'-'",
                "case when " ~ flag ~ "_after then 'Y' else 'N' end",
            ]) }} as pattern,
            count(*) as patients
        from {{ ref('int_elp_transitions_cohort') }}
        group by
            cohort_year, weighting_group, group_population, group_members, elp_status,
            {{ flag }}_before, {{ flag }}_during, {{ flag }}_after
    {% endfor -%}
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
    {% for elp_status in elp_statuses -%}
        {% if not loop.first %}union all{% endif %}
        select '{{ elp_status }}' as elp_after
    {% endfor -%}
),

share_input as (
    select
        cells.cohort_year,
        cells.care_type,
        target_patterns.target_pattern as pattern,
        elp_statuses.elp_after,
        case
            when
                cells.pattern = target_patterns.target_pattern
                and elp_statuses.elp_after in ('all', cells.elp_status)
                then 1
            else 0
        end as y,
        -- the start group: same care status before as the target pattern
        case when cells.before_flag = target_patterns.target_before_flag then 1 else 0 end
            as in_start_group,
        1 as x,
        cells.weighting_group,
        cells.group_population,
        cells.group_members,
        cells.patients
    from cells
    cross join target_patterns
    cross join elp_statuses
),

-- units_observed and x_total = the start group (observed, extrapolated); y_units_observed and
-- y_total = the patients with the pattern and ELP status (y = 1 implies the start group)
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
)

select
    cast(shares_of_start_group.cohort_year as {{ dbt.type_int() }}) as cohort_year,
    cast(shares_of_start_group.care_type as {{ dbt.type_string() }}) as care_type,
    cast(shares_of_start_group.pattern as {{ dbt.type_string() }}) as pattern,
    cast(shares_of_start_group.elp_after as {{ dbt.type_string() }}) as elp_after,
    cast(
        case when shares_of_start_group.pattern like 'Y%' then 'before' else 'not_before' end
        as {{ dbt.type_string() }}
    ) as start_group,
    cast(shares_of_start_group.y_units_observed as {{ dbt.type_bigint() }}) as patients_observed,
    cast(shares_of_start_group.y_total as {{ type_double() }}) as patients_extrapolated,
    cast(shares_of_start_group.units_observed as {{ dbt.type_bigint() }})
        as start_group_patients_observed,
    cast(shares_of_start_group.x_total as {{ type_double() }}) as start_group_patients_extrapolated,
    cast(shares_of_start_group.estimate as {{ type_double() }}) as share_of_start_group,
    cast(shares_of_start_group.ci_low as {{ type_double() }}) as share_of_start_group_ci_low,
    cast(shares_of_start_group.ci_high as {{ type_double() }}) as share_of_start_group_ci_high,
    cast(shares_of_cohort.estimate as {{ type_double() }}) as share_of_cohort,
    cast(shares_of_cohort.ci_low as {{ type_double() }}) as share_of_cohort_ci_low,
    cast(shares_of_cohort.ci_high as {{ type_double() }}) as share_of_cohort_ci_high
from shares_of_start_group
inner join shares_of_cohort
    on
        shares_of_start_group.cohort_year = shares_of_cohort.cohort_year
        and shares_of_start_group.care_type = shares_of_cohort.care_type
        and shares_of_start_group.pattern = shares_of_cohort.pattern
        and shares_of_start_group.elp_after = shares_of_cohort.elp_after
