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

-- Safe casts: a value that is not a number or a boolean becomes null, and int_population_cells
-- then refuses its row naming the year and the cell, where a plain cast would stop with a
-- conversion error that names neither the file nor the row.
select
    {{ dbt.safe_cast('year', dbt.type_int()) }} as year,
    {{ dbt.safe_cast('age_band', dbt.type_int()) }} as age_band,
    cast(sex as {{ dbt.type_string() }}) as sex,
    cast(province_code as {{ dbt.type_string() }}) as province_code,
    {{ dbt.safe_cast('vt', dbt.type_boolean()) }} as vt,
    {{ dbt.safe_cast('population', dbt.type_bigint()) }} as population
from population_rows
