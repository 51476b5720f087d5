{{ config(materialized='view') }}
-- Age-sex directly standardised ELP usage rate per year x dimension x category (fn 18): the
-- subgroup's age-sex specific rates, weighted by the age-sex structure of the members of the
-- last analysis year.
with

usage_input as (
    select * from {{ ref('int_usage_by_dimension') }}
    -- standardising a breakdown by age or sex on age and sex is meaningless
    where dimension not in ('age_group', 'sex')
),

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
    where year = {{ var('last_year') | int }}
    group by age_group, sex
),

reference_strata as (
    select count(*) as strata from reference_population
)

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
group by age_sex_rates.year, age_sex_rates.dimension, age_sex_rates.category
-- only subgroups present in every age-sex stratum of the reference population
having count(*) = max(reference_strata.strata)
