{{ config(materialized='view') }}
-- Post-stratification cells and the weighting group each lands in: the collapse rule.
--
-- A cell is year x 5-year age band x sex x province x VT. Its weight needs members in it, so
-- a cell with fewer than var('min_weighting_cell_members') members (or no IMA population) is
-- pooled, in a fixed order of coarser keys, with the other cells that failed at that key:
--   level 0  the cell itself
--   level 1  analysis age group x sex x province x VT
--   level 2  analysis age group x sex x region x VT
--   level 3  analysis age group x sex x VT (national)
--   level 4  the whole year (last resort, never reached at realistic sizes)
-- A pooled group is accepted once it has enough members and a population. Every cell lands in
-- exactly one group, so the weights (int_weighting_cells) add up exactly to the IMA population
-- of the year.
{%- set min_members = var('min_weighting_cell_members') | int %}
{#- the key of each level, finest first: the collapse order above -#}
{%- set level_keys = [
    ['age_band', 'sex', 'province_code', 'vt'],
    ['age_group', 'sex', 'province_code', 'vt'],
    ['age_group', 'sex', 'region', 'vt'],
    ['age_group', 'sex', 'vt'],
] %}

with

population as (
    select * from {{ ref('int_population_cells') }}
),

members as (
    select * from {{ ref('int_member_cells') }}
),

provinces as (
    select
        province_code,
        region
    from {{ ref('provinces') }}
),

-- population year of each analysis year, also for member cells absent from the IMA seed
population_years as (
    select distinct
        year,
        population_year
    from population
),

cells as (
    select
        coalesce(population.year, members.year) as year,
        population_years.population_year,
        coalesce(population.age_band, members.age_band) as age_band,
        coalesce(population.sex, members.sex) as sex,
        coalesce(population.province_code, members.province_code) as province_code,
        coalesce(population.vt, members.vt) as vt,
        coalesce(population.population, 0) as ima_population,
        coalesce(members.members, 0) as members
    from population
    full outer join members
        on
            population.year = members.year
            and population.age_band = members.age_band
            and population.sex = members.sex
            and population.province_code = members.province_code
            and population.vt = members.vt
    inner join population_years
        on population_years.year = coalesce(population.year, members.year)
),

keyed as (
    select
        cells.*,
        {{ age_group('cells.age_band') }} as age_group,
        provinces.region,
        cells.members >= {{ min_members }} and cells.ima_population > 0 as ok_0
    from cells
    inner join provinces
        on cells.province_code = provinces.province_code
),
-- level k pools the cells that failed at every finer level by the level's key; the pool is
-- accepted (ok_k) when it has enough members and a population
{%- set failed = ['not ok_0'] %}
{%- for keys in level_keys[1:] %}
    {%- set failed_before = failed | join(' and ') %}
    {%- set pool = 'over (partition by year, ' ~ keys | join(', ') ~ ')' %}
    {%- set previous = 'keyed' if loop.first else 'level_' ~ (loop.index - 1) %}

    level_{{ loop.index }} as (
        select
            {{ previous }}.*,
            {{ failed_before }}
            and sum(case when {{ failed_before }} then members else 0 end) {{ pool }}
            >= {{ min_members }}
            and sum(case when {{ failed_before }} then ima_population else 0 end) {{ pool }}
            > 0 as ok_{{ loop.index }}
        from {{ previous }}
    ){{ ',' if not loop.last }}
    {%- do failed.append('not ok_' ~ loop.index) %}
{%- endfor %}

select
    year,
    population_year,
    age_band,
    sex,
    province_code,
    vt,
    age_group,
    region,
    ima_population,
    members,
    case
        {%- for keys in level_keys %}
            when ok_{{ loop.index0 }} then {{ loop.index0 }}
        {%- endfor %}
        else {{ level_keys | length }}
    end as collapse_level,
    -- L<level>| followed by the values of the level's key, e.g. L2|80+|M|wallonia|true
    case
        {%- for keys in level_keys %}
            when ok_{{ loop.index0 }}
                then concat(
                        'L{{ loop.index0 }}',
                        {%- for key in keys %}
                            '|', cast({{ key }} as {{ dbt.type_string() }}){{ ',' if not loop.last }}
                        {%- endfor %}
                    )
        {%- endfor %}
        else 'L{{ level_keys | length }}|all'
    end as weighting_group
from level_{{ level_keys | length - 1 }}
