-- Published weighting table: one row per analysis year and cell (section 2.1.1 of the study).
select
    cast(year as {{ dbt.type_int() }}) as year,
    cast(population_year as {{ dbt.type_int() }}) as population_year,
    cast(age_band as {{ dbt.type_int() }}) as age_band,
    cast(sex as {{ dbt.type_string() }}) as sex,
    cast(province_code as {{ dbt.type_string() }}) as province_code,
    cast(vt as {{ dbt.type_boolean() }}) as vt,
    cast(ima_population as {{ dbt.type_bigint() }}) as ima_population,
    cast(members as {{ dbt.type_bigint() }}) as members,
    cast(collapse_level as {{ dbt.type_int() }}) as collapse_level,
    collapse_level > 0 as is_collapsed,
    cast(weighting_group as {{ dbt.type_string() }}) as weighting_group,
    cast(group_population as {{ dbt.type_bigint() }}) as group_population,
    cast(group_members as {{ dbt.type_bigint() }}) as group_members,
    cast(weight as {{ type_double() }}) as weight,
    cast(extrapolation_factor as {{ type_double() }}) as extrapolation_factor,
    cast(expansion_factor as {{ type_double() }}) as expansion_factor
from {{ ref('int_weighting_cells') }}
