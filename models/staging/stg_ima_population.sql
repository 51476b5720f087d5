-- IMA population per year x age band x sex x province x VT: seed ima_population, or the CSV /
-- Parquet file named by var ima_population_path (same columns), e.g. a deployment's own figures
-- or a known-truth test's population.
{%- set ima_population_path = var('ima_population_path', '') | trim %}
-- A number or a boolean is cast only when its text is one: anything else (`n/a`, `12.5`)
-- becomes null, and int_population_cells refuses its row naming the year and the cell, where
-- a plain cast would stop with a conversion error that names neither the file nor the row.
{%- set text = dbt.type_string() %}
{%- set whole_number = {} %}
{%- for column, data_type in [
    ('year', dbt.type_int()), ('age_band', dbt.type_int()), ('population', dbt.type_bigint())
] %}
    {%- set as_text = 'trim(cast(' ~ column ~ ' as ' ~ text ~ '))' %}
    {%- do whole_number.update({column: 'case when ' ~ regexp_full_match(as_text, '-?[0-9]+')
        ~ ' then cast(' ~ as_text ~ ' as ' ~ data_type ~ ') end'}) %}
{%- endfor %}
{%- set vt_text = 'lower(trim(cast(vt as ' ~ text ~ ')))' %}
with

population_rows as (
    {% if ima_population_path -%}
        select * from {{ read_external_file(ima_population_path) }}
    {%- else -%}
        select * from {{ ref('ima_population') }}
    {%- endif %}
)

select
    {{ whole_number['year'] }} as year,
    {{ whole_number['age_band'] }} as age_band,
    cast(sex as {{ text }}) as sex,
    cast(province_code as {{ text }}) as province_code,
    case
        when {{ vt_text }} in ('true', 'false') then {{ vt_text }} = 'true'
    end as vt,
    {{ whole_number['population'] }} as population
from population_rows
