-- IMA population per year x age band x sex x province x VT: seed ima_population, or the CSV /
-- Parquet file named by var ima_population_path (same columns), e.g. a deployment's own figures
-- or a known-truth test's population.
{%- set ima_population_path = var('ima_population_path', '') | trim %}
with

population_rows as (
    {% if ima_population_path -%}
        select * from {{ read_external_file(ima_population_path) }}
    {%- else -%}
        select * from {{ ref('ima_population') }}
    {%- endif %}
)

select
    cast(year as {{ dbt.type_int() }}) as year,
    cast(age_band as {{ dbt.type_int() }}) as age_band,
    cast(sex as {{ dbt.type_string() }}) as sex,
    cast(province_code as {{ dbt.type_string() }}) as province_code,
    cast(vt as {{ dbt.type_boolean() }}) as vt,
    cast(population as {{ dbt.type_bigint() }}) as population
from population_rows
