{{ config(materialized='view') }}
-- ELP usage of detainees (fn 7), extrapolated with the prison population instead of the
-- weighting groups, as the study did: the weighted user share among detained members of each
-- sex, times the prison population of that sex (latest available year), and both sexes
-- combined, weighted by their prison populations.
with

detained_input as (
    select * from {{ ref('int_usage_by_dimension') }}
    where dimension = 'specific_category' and category = 'detained'
),

detained_by_sex as (
    {{ poststratified_ratio(
        'detained_input', ['year', 'sex_code'], 'y', '1', unit_count='member_years'
    ) }}
),

prison as (
    {{ prison_population_for('detained_by_sex', ref('prison_population'), sex_column='sex_code') }}
),

by_sex as (
    select
        detained_by_sex.year,
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

both_sexes as (
    select
        year,
        'detained' as category,
        sum(units_observed) as units_observed,
        sum(y_units_observed) as y_units_observed,
        sum(y_total) as y_total,
        sum(x_total) as x_total,
        {{ linear_combination('x_total', 'estimate', 'standard_error') }}
    from by_sex
    group by year
),

detainees as (
    select * from by_sex
    union all
    select * from both_sexes
)

select
    year,
    'specific_category' as dimension,
    category,
    units_observed,
    y_units_observed,
    y_total,
    x_total,
    estimate,
    standard_error,
    ci_low,
    ci_high,
    'prison_population' as extrapolation_method
from detainees
