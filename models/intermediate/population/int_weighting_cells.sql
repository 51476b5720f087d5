-- Post-stratification cells with the collapse rule applied.
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
-- exactly one group, so the weights still add up exactly to the IMA population of the year.
{%- set min_members = var('min_weighting_cell_members') | int %}

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
        {{ age_group_of_band('cells.age_band') }} as age_group,
        provinces.region,
        cells.members >= {{ min_members }} and cells.ima_population > 0 as ok_0
    from cells
    inner join provinces
        on cells.province_code = provinces.province_code
),

level_1 as (
    select
        keyed.*,
        not ok_0
        and sum(case when not ok_0 then members else 0 end)
            over (partition by year, age_group, sex, province_code, vt)
        >= {{ min_members }}
        and sum(case when not ok_0 then ima_population else 0 end)
            over (partition by year, age_group, sex, province_code, vt)
        > 0 as ok_1
    from keyed
),

level_2 as (
    select
        level_1.*,
        not ok_0 and not ok_1
        and sum(case when not ok_0 and not ok_1 then members else 0 end)
            over (partition by year, age_group, sex, region, vt)
        >= {{ min_members }}
        and sum(case when not ok_0 and not ok_1 then ima_population else 0 end)
            over (partition by year, age_group, sex, region, vt)
        > 0 as ok_2
    from level_1
),

level_3 as (
    select
        level_2.*,
        not ok_0 and not ok_1 and not ok_2
        and sum(case when not ok_0 and not ok_1 and not ok_2 then members else 0 end)
            over (partition by year, age_group, sex, vt)
        >= {{ min_members }}
        and sum(case when not ok_0 and not ok_1 and not ok_2 then ima_population else 0 end)
            over (partition by year, age_group, sex, vt)
        > 0 as ok_3
    from level_2
),

grouped as (
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
            when ok_0 then 0
            when ok_1 then 1
            when ok_2 then 2
            when ok_3 then 3
            else 4
        end as collapse_level,
        case
            when ok_0
                then
                    concat(
                        'L0|', cast(age_band as {{ dbt.type_string() }}), '|', sex, '|',
                        province_code, '|', cast(vt as {{ dbt.type_string() }})
                    )
            when ok_1
                then concat(
                        'L1|', age_group, '|', sex, '|', province_code, '|',
                        cast(vt as {{ dbt.type_string() }})
                    )
            when ok_2
                then concat(
                        'L2|', age_group, '|', sex, '|', region, '|',
                        cast(vt as {{ dbt.type_string() }})
                    )
            when ok_3
                then concat('L3|', age_group, '|', sex, '|', cast(vt as {{ dbt.type_string() }}))
            else 'L4|all'
        end as weighting_group
    from level_3
),

totals as (
    select
        year,
        sum(ima_population) as year_population,
        sum(members) as year_members
    from grouped
    group by year
),

groups as (
    select
        year,
        weighting_group,
        sum(ima_population) as group_population,
        sum(members) as group_members
    from grouped
    group by year, weighting_group
)

select
    grouped.year,
    grouped.population_year,
    grouped.age_band,
    grouped.sex,
    grouped.province_code,
    grouped.vt,
    grouped.age_group,
    grouped.region,
    grouped.ima_population,
    grouped.members,
    grouped.collapse_level,
    grouped.weighting_group,
    groups.group_population,
    groups.group_members,
    totals.year_population,
    totals.year_members,
    -- adjustment weight w = (P_g / P) / (M_g / M) (methods 2), written as one division of
    -- integer products so hand-computed test values come out exact
    case
        when groups.group_members > 0
            then cast(groups.group_population * totals.year_members as {{ type_double() }})
                / (totals.year_population * groups.group_members)
    end as weight,
    -- extrapolation factor f = P / M: weighted member counts x f = persons in Belgium
    cast(totals.year_population as {{ type_double() }}) / totals.year_members
        as extrapolation_factor,
    -- persons each member of the group stands for: w x f = P_g / M_g
    case
        when groups.group_members > 0
            then cast(groups.group_population as {{ type_double() }}) / groups.group_members
    end as expansion_factor
from grouped
inner join groups
    on
        grouped.year = groups.year
        and grouped.weighting_group = groups.weighting_group
inner join totals
    on grouped.year = totals.year
