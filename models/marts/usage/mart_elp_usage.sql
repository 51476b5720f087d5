-- ELP usage rate per year x dimension x category (Figure 5, Annex 3, footnote 18): observed
-- and extrapolated users, the population, the weighted rate with its 95 % interval and the
-- age-sex directly standardised rate (int_elp_usage_standardised). Detainees are
-- extrapolated with the prison population by sex, as the study did (fn 7): their rows come
-- from int_elp_usage_detainees instead of the post-stratified estimate.
{%- set rate_columns = [
    'year', 'dimension', 'category', 'units_observed', 'y_units_observed', 'y_total', 'x_total',
    'estimate', 'ci_low', 'ci_high',
] %}

with

usage_input as (
    select * from {{ ref('int_usage_by_dimension') }}
),

rates as (
    {{ poststratified_ratio(
        'usage_input', ['year', 'dimension', 'category'], 'y', '1', unit_count='member_years'
    ) }}
),

all_rates as (
    select
        {{ rate_columns | join(',\n        ') }},
        'post_stratification' as extrapolation_method
    from rates
    where not (dimension = 'specific_category' and category = 'detained')
    union all
    select
        {{ rate_columns | join(',\n        ') }},
        extrapolation_method
    from {{ ref('int_elp_usage_detainees') }}
),

standardised as (
    select * from {{ ref('int_elp_usage_standardised') }}
),

labels as (
    select * from {{ ref('labels') }}
)

select
    cast(all_rates.year as {{ dbt.type_int() }}) as year,
    cast(all_rates.dimension as {{ dbt.type_string() }}) as dimension,
    cast(all_rates.category as {{ dbt.type_string() }}) as category,
    cast(all_rates.units_observed as {{ dbt.type_bigint() }}) as members_observed,
    cast(all_rates.y_units_observed as {{ dbt.type_bigint() }}) as users_observed,
    cast(all_rates.y_total as {{ type_double() }}) as users_extrapolated,
    cast(all_rates.x_total as {{ type_double() }}) as population,
    cast(all_rates.estimate as {{ type_double() }}) as usage_rate,
    cast(all_rates.ci_low as {{ type_double() }}) as usage_rate_ci_low,
    cast(all_rates.ci_high as {{ type_double() }}) as usage_rate_ci_high,
    cast(standardised.estimate as {{ type_double() }}) as standardised_rate,
    cast(standardised.ci_low as {{ type_double() }}) as standardised_rate_ci_low,
    cast(standardised.ci_high as {{ type_double() }}) as standardised_rate_ci_high,
    cast(all_rates.extrapolation_method as {{ dbt.type_string() }}) as extrapolation_method,
    cast(labels.label_nl as {{ dbt.type_string() }}) as label_nl,
    cast(labels.label_fr as {{ dbt.type_string() }}) as label_fr,
    cast(labels.label_en as {{ dbt.type_string() }}) as label_en
from all_rates
left join standardised
    on
        all_rates.year = standardised.year
        and all_rates.dimension = standardised.dimension
        and all_rates.category = standardised.category
left join labels
    on
        all_rates.dimension = labels.dimension
        and all_rates.category = labels.category
