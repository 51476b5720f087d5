-- IMA population per analysis year and weighting cell. A year without its own IMA figures
-- takes the latest earlier IMA year (the study weighted 2024 with the 2023 population, fn 6),
-- but no more than var ima_population_max_lag_years back: older figures would weight a year
-- with a population that no longer exists. The build stops, naming the year and the cell, when
-- an analysis year has no figures within that lag, or a row of the population file is not a
-- valid cell with a positive population (docs/operations.md); the lag used is in
-- `population_year` and a warning test reports it.
{%- set max_lag = var('ima_population_max_lag_years', 1) | int %}
{%- set text = dbt.type_string() %}
{%- set age_bands = range(0, 95, 5) | join(', ') %}
with

analysis_years as (
    {{ analysis_years() }}
),

ima as (
    select * from {{ ref('stg_ima_population') }}
),

provinces as (
    select province_code from {{ ref('provinces') }}
),

ima_years as (
    select distinct year as population_year from ima
),

year_used as (
    select
        analysis_years.year,
        max(ima_years.population_year) as population_year
    from analysis_years
    left join ima_years
        on analysis_years.year >= ima_years.population_year
    group by analysis_years.year
),

uncovered_years as (
    select
        year,
        'analysis year ' || cast(year as {{ text }}) || ': no IMA population'
        || case
            when population_year is null then ' for it or any earlier year'
            else '; the latest earlier IMA year, ' || cast(population_year as {{ text }}) || ', is '
                || cast(year - population_year as {{ text }})
                || ' years before, more than var ima_population_max_lag_years ({{ max_lag }})'
        end as problem
    from year_used
    where population_year is null or year - population_year > {{ max_lag }}
),

invalid_cells as (
    select
        ima.year,
        'year ' || coalesce(cast(ima.year as {{ text }}), 'null')
        || ', cell age_band ' || coalesce(cast(ima.age_band as {{ text }}), 'null')
        || ' sex ' || coalesce(ima.sex, 'null')
        || ' province_code ' || coalesce(ima.province_code, 'null')
        || ' vt ' || coalesce(cast(ima.vt as {{ text }}), 'null') || ': '
        || case
            when ima.year is null then 'year is null or not a whole number'
            when ima.population is null then 'population is null or not a whole number'
            when ima.population <= 0
                then 'population ' || cast(ima.population as {{ text }}) || ' is not positive'
            when provinces.province_code is null
                then 'province_code is not a known province (seed provinces)'
            when ima.sex is null or ima.sex not in ('F', 'M') then 'sex is not F or M'
            when ima.age_band is null or ima.age_band not in ({{ age_bands }})
                then 'age_band is not a 5-year band 0, 5, ..., 90'
            else 'vt is null or not a boolean'
        end as problem
    from ima
    left join provinces
        on ima.province_code = provinces.province_code
    where
        ima.year is null
        or ima.population is null
        or ima.population <= 0
        or provinces.province_code is null
        or ima.sex is null
        or ima.sex not in ('F', 'M')
        or ima.age_band is null
        or ima.age_band not in ({{ age_bands }})
        or ima.vt is null
),

-- a used IMA year without any row of a province (a truncated file); a single empty cell is
-- allowed: the collapse rule pools a cell absent from IMA (int_weighting_cell_groups)
missing_provinces as (
    select
        used_years.population_year as year,
        'IMA year ' || cast(used_years.population_year as {{ text }}) || ': no row for province_code '
        || provinces.province_code as problem
    from (select distinct population_year from year_used) as used_years
    cross join provinces
    left join ima
        on
            used_years.population_year = ima.year
            and provinces.province_code = ima.province_code
    where used_years.population_year is not null and ima.province_code is null
),

problems as (
    select * from uncovered_years
    union all
    select * from invalid_cells
    union all
    select * from missing_provinces
),

checked as (
    select
        count(*) as problem_count,
        {{ dbt.listagg('problem', "'; '", 'order by year, problem', 5) }} as first_problems
    from problems
)

select
    year_used.year,
    year_used.population_year,
    ima.age_band,
    ima.sex,
    ima.province_code,
    ima.vt,
    ima.population
from year_used
cross join checked
left join ima
    on year_used.population_year = ima.year
where
    case
        when checked.problem_count > 0 then {{ raise_error(
            "'IMA population (seed ima_population or var ima_population_path) refused, '
            || cast(checked.problem_count as " ~ text ~ ") || ' problem(s): ' || checked.first_problems"
        ) }} is null
        else ima.year is not null
    end
