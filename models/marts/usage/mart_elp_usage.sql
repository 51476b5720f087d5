-- ELP usage rate per year x dimension x category (Figure 5, Annex 3, footnote 18): observed
-- and extrapolated users, the population, the weighted rate with its 95 % interval and an
-- age-sex directly standardised rate. Detainees are extrapolated with the prison population
-- by sex, as the study did (fn 7).
{%- set last_year = var('last_year') | int %}

with

usage_input as (
    select * from {{ ref('int_usage_by_dimension') }}
),

rates as (
    {{ poststratified_ratio(
        'usage_input', ['year', 'dimension', 'category'], 'y', '1', unit_count='member_years'
    ) }}
),

-- direct standardisation (fn 18): age-sex specific rates of the subgroup, weighted by the
-- age-sex structure of the members of the last analysis year
age_sex_rates as (
    {{ poststratified_ratio(
        'usage_input', ['year', 'dimension', 'category', 'age_group', 'sex_code'], 'y', '1',
        unit_count='member_years'
    ) }}
),

reference_population as (
    select
        age_group,
        sex as sex_code,
        cast(count(*) as {{ type_double() }})
        / sum(count(*)) over () as reference_share
    from {{ ref('int_member_years') }}
    where year = {{ last_year }}
    group by age_group, sex
),

reference_strata as (
    select count(*) as strata from reference_population
),

standardised as (
    select
        age_sex_rates.year,
        age_sex_rates.dimension,
        age_sex_rates.category,
        {{ linear_combination('reference_population.reference_share', 'age_sex_rates.estimate',
            'age_sex_rates.standard_error') }}
    from age_sex_rates
    inner join reference_population
        on
            age_sex_rates.age_group = reference_population.age_group
            and age_sex_rates.sex_code = reference_population.sex_code
    cross join reference_strata
    -- standardising a breakdown by age or sex on age and sex is meaningless
    where age_sex_rates.dimension not in ('age_group', 'sex')
    group by age_sex_rates.year, age_sex_rates.dimension, age_sex_rates.category
    -- only subgroups present in every age-sex stratum of the reference population
    having count(*) = max(reference_strata.strata)
),

-- detainees (fn 7): the weighted user share among detained members of each sex, times the
-- prison population of that sex (latest available year)
detained_input as (
    select * from usage_input
    where dimension = 'specific_category' and category = 'detained'
),

detained_by_sex as (
    {{ poststratified_ratio(
        'detained_input', ['year', 'sex_code'], 'y', '1', unit_count='member_years'
    ) }}
),

prison as (
    {{ elp_warehouse.prison_population_for('detained_by_sex', sex_column='sex_code') }}
),

detained_rows as (
    select
        detained_by_sex.year,
        'specific_category' as dimension,
        case detained_by_sex.sex_code
            when 'F' then 'detained_female' else 'detained_male'
        end as category,
        detained_by_sex.units_observed,
        detained_by_sex.y_units_observed,
        detained_by_sex.estimate * prison.prison_population as y_total,
        prison.prison_population as x_total,
        detained_by_sex.estimate,
        detained_by_sex.standard_error,
        detained_by_sex.ci_low,
        detained_by_sex.ci_high
    from detained_by_sex
    inner join prison
        on
            detained_by_sex.year = prison.year
            and detained_by_sex.sex_code = prison.sex_code
),

detained_total as (
    select
        detained_rows.year,
        'specific_category' as dimension,
        'detained' as category,
        sum(detained_rows.units_observed) as units_observed,
        sum(detained_rows.y_units_observed) as y_units_observed,
        sum(detained_rows.y_total) as y_total,
        sum(detained_rows.x_total) as x_total,
        {{ linear_combination('detained_rows.x_total', 'detained_rows.estimate',
            'detained_rows.standard_error') }}
    from detained_rows
    group by detained_rows.year
),

all_rates as (
    select
        year,
        dimension,
        category,
        units_observed,
        y_units_observed,
        y_total,
        x_total,
        estimate,
        ci_low,
        ci_high,
        'post_stratification' as extrapolation_method
    from rates
    where not (dimension = 'specific_category' and category = 'detained')
    union all
    select
        year,
        dimension,
        category,
        units_observed,
        y_units_observed,
        y_total,
        x_total,
        estimate,
        ci_low,
        ci_high,
        'prison_population' as extrapolation_method
    from detained_rows
    union all
    select
        year,
        dimension,
        category,
        units_observed,
        y_units_observed,
        y_total,
        x_total,
        estimate,
        ci_low,
        ci_high,
        'prison_population' as extrapolation_method
    from detained_total
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
