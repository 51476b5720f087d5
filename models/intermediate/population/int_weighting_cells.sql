-- Post-stratification weights of each cell, from the weighting group the collapse rule put it
-- in (int_weighting_cell_groups): every cell of a group shares the group's weight.
with

cells as (
    select * from {{ ref('int_weighting_cell_groups') }}
),

totals as (
    select
        year,
        sum(ima_population) as year_population,
        sum(members) as year_members
    from cells
    group by year
),

groups as (
    select
        year,
        weighting_group,
        sum(ima_population) as group_population,
        sum(members) as group_members
    from cells
    group by year, weighting_group
)

select
    cells.year,
    cells.population_year,
    cells.age_band,
    cells.sex,
    cells.province_code,
    cells.vt,
    cells.age_group,
    cells.region,
    cells.ima_population,
    cells.members,
    cells.collapse_level,
    cells.weighting_group,
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
from cells
inner join groups
    on
        cells.year = groups.year
        and cells.weighting_group = groups.weighting_group
inner join totals
    on cells.year = totals.year
