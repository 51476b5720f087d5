-- Care before / during / after the first ELP session (Figure 12) in the transitions cohort
-- (int_elp_transitions_cohort). Per period one exclusive category of other mental-health care
-- (int_elp_trajectory_care), as weighted shares of all cohort patients, also split by ELP use
-- in the after period.
{#- care type 'all' = every patient: with elp_status = with_elp_after, the share still using
    ELP after a year -#}
{%- set care_types = [
    'none_other', 'psychiatrist', 'non_conventioned_psychologist', 'acute_residential',
    'psychotropics_only', 'all'
] %}
{%- set elp_statuses = ['all', 'with_elp_after', 'without_elp_after'] %}
with

cells as (
    {% for period in ['before', 'during', 'after'] -%}
        {% if not loop.first %}union all{% endif %}
        select
            '{{ period }}' as period,
            cohort_year,
            weighting_group,
            group_population,
            group_members,
            case
                when care_category_{{ period }} = 'none' then 'none_other'
                else care_category_{{ period }}
            end as care_category,
            elp_status,
            count(*) as patients
        from {{ ref('int_elp_transitions_cohort') }}
        group by
            cohort_year, weighting_group, group_population, group_members, care_category_{{ period }},
            elp_status
    {% endfor -%}
),

care_types as (
    {% for care_type in care_types -%}
        {% if not loop.first %}union all{% endif %}
        select '{{ care_type }}' as care_type
    {% endfor -%}
),

elp_statuses as (
    {% for elp_status in elp_statuses -%}
        {% if not loop.first %}union all{% endif %}
        select '{{ elp_status }}' as elp_status
    {% endfor -%}
),

-- every cohort patient is a unit of every share (y = 1 in its own care type and ELP status)
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
        case
            when
                care_types.care_type in ('all', cells.care_category)
                and elp_statuses.elp_status in ('all', cells.elp_status)
                then 1
            else 0
        end as y,
        1 as x
    from cells
    cross join care_types
    cross join elp_statuses
),

-- units_observed = all cohort patients, y_units_observed = those of the care type and ELP
-- status, y_total = the latter extrapolated (sum of N_h / n_h, i.e. of their expansion factors)
care_type_shares as (
    {{ poststratified_ratio(
        'share_input', ['cohort_year', 'care_type', 'period', 'elp_status'], 'y', 'x',
        unit_count='patients'
    ) }}
)

select
    cast(care_type_shares.cohort_year as {{ dbt.type_int() }}) as cohort_year,
    cast(care_type_shares.care_type as {{ dbt.type_string() }}) as care_type,
    cast(care_type_shares.period as {{ dbt.type_string() }}) as period,
    cast(care_type_shares.elp_status as {{ dbt.type_string() }}) as elp_status,
    cast(care_type_shares.y_units_observed as {{ dbt.type_bigint() }}) as patients_observed,
    cast(care_type_shares.y_total as {{ type_double() }}) as patients_extrapolated,
    cast(care_type_shares.units_observed as {{ dbt.type_bigint() }}) as cohort_patients_observed,
    cast(care_type_shares.estimate as {{ type_double() }}) as share,
    cast(care_type_shares.ci_low as {{ type_double() }}) as share_ci_low,
    cast(care_type_shares.ci_high as {{ type_double() }}) as share_ci_high,
    cast(labels.label_nl as {{ dbt.type_string() }}) as label_nl,
    cast(labels.label_fr as {{ dbt.type_string() }}) as label_fr,
    cast(labels.label_en as {{ dbt.type_string() }}) as label_en
from care_type_shares
left join {{ ref('labels') }} as labels
    on
        labels.dimension = 'care_type'
        and care_type_shares.care_type = labels.category
