-- Care in the 2 years before the first ELP session (Figures 10-11): one category per patient
-- (int_elp_trajectory_care.care_category_before: psychiatrist first, fn 19), as weighted
-- shares of the cohort's patients per cohort year x dimension x category. Patients are kept
-- when continuously affiliated in the start year and the two previous years (section 2.4):
-- cohort 'prior_care' of int_elp_trajectory_profiles.
{%- set prior_care_categories = [
    'none', 'psychiatrist', 'non_conventioned_psychologist', 'acute_residential', 'psychotropics_only'
] %}
with

categories as (
    {% for target in prior_care_categories -%}
        {% if not loop.first %}union all{% endif %}
        select '{{ target }}' as target_prior_care
    {% endfor -%}
),

-- every patient of the domain is a unit of every category's share (y = 1 in its own)
share_input as (
    select
        profiles.cohort_year,
        profiles.dimension,
        profiles.category,
        categories.target_prior_care as prior_care,
        profiles.weighting_group,
        profiles.group_population,
        profiles.group_members,
        profiles.patients,
        case when profiles.prior_care = categories.target_prior_care then 1 else 0 end as y,
        1 as x
    from {{ ref('int_elp_trajectory_profiles') }} as profiles
    cross join categories
    where profiles.cohort = 'prior_care'
),

-- units_observed = the domain's patients, y_units_observed = those in the category, y_total
-- = the latter extrapolated (sum of N_h / n_h, i.e. of their expansion factors)
prior_care_shares as (
    {{ poststratified_ratio(
        'share_input', ['cohort_year', 'dimension', 'category', 'prior_care'], 'y', 'x',
        unit_count='patients'
    ) }}
)

select
    cast(prior_care_shares.cohort_year as {{ dbt.type_int() }}) as cohort_year,
    cast(prior_care_shares.dimension as {{ dbt.type_string() }}) as dimension,
    cast(prior_care_shares.category as {{ dbt.type_string() }}) as category,
    cast(prior_care_shares.prior_care as {{ dbt.type_string() }}) as prior_care,
    cast(prior_care_shares.y_units_observed as {{ dbt.type_bigint() }}) as patients_observed,
    cast(prior_care_shares.y_total as {{ type_double() }}) as patients_extrapolated,
    cast(prior_care_shares.units_observed as {{ dbt.type_bigint() }}) as cohort_patients_observed,
    cast(prior_care_shares.estimate as {{ type_double() }}) as share,
    cast(prior_care_shares.ci_low as {{ type_double() }}) as share_ci_low,
    cast(prior_care_shares.ci_high as {{ type_double() }}) as share_ci_high,
    cast(labels.label_nl as {{ dbt.type_string() }}) as label_nl,
    cast(labels.label_fr as {{ dbt.type_string() }}) as label_fr,
    cast(labels.label_en as {{ dbt.type_string() }}) as label_en,
    cast(prior_care_labels.label_nl as {{ dbt.type_string() }}) as prior_care_label_nl,
    cast(prior_care_labels.label_fr as {{ dbt.type_string() }}) as prior_care_label_fr,
    cast(prior_care_labels.label_en as {{ dbt.type_string() }}) as prior_care_label_en
from prior_care_shares
left join {{ ref('labels') }} as labels
    on
        prior_care_shares.dimension = labels.dimension
        and prior_care_shares.category = labels.category
left join {{ ref('labels') }} as prior_care_labels
    on
        prior_care_labels.dimension = 'prior_care'
        and prior_care_shares.prior_care = prior_care_labels.category
