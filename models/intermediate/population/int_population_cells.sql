-- IMA population per analysis year and weighting cell. A year without its own IMA figures
-- takes the latest earlier IMA year (the study weighted 2024 with the 2023 population, fn 6).
with

analysis_years as (
    {{ analysis_years() }}
),

ima as (
    select * from {{ ref('stg_ima_population') }}
),

ima_years as (
    select distinct year as population_year from ima
),

year_used as (
    select
        analysis_years.year,
        max(ima_years.population_year) as population_year
    from analysis_years
    inner join ima_years
        on analysis_years.year >= ima_years.population_year
    group by analysis_years.year
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
inner join ima
    on year_used.population_year = ima.year
