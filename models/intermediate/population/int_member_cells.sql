{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ elp_warehouse.stale_years_delete(elp_warehouse.member_cell_year_fingerprints()) }}",
) }}
-- Members per analysis year and weighting cell (a member counts in every year with at least
-- one affiliated day, with the attributes of that year's reference date). Incremental by year:
-- a year is counted again when its members_yearly rows changed, i.e. when the year fingerprint
-- base_members_yearly keeps for it changed (macros/incremental/year_increment.sql).
{%- set build_years = elp_warehouse.years_to_build(elp_warehouse.member_cell_year_fingerprints()) %}
with

year_fingerprints as {{ elp_warehouse.cte_hint('materialize') }} (
    {{ elp_warehouse.member_cell_year_fingerprints(build_years) | indent(4) }}
),

cells as (
    select
        year,
        {{ age_band('age') }} as age_band,
        sex,
        province_code,
        vt,
        count(*) as members
    from {{ ref('stg_members_yearly') }}
    where
        year between {{ var('first_year') }} and {{ var('last_year') }}
        and {{ elp_warehouse.years_filter('year', build_years) }}
    group by 1, 2, 3, 4, 5
)

select
    cells.year,
    cells.age_band,
    cells.sex,
    cells.province_code,
    cells.vt,
    cells.members,
    year_fingerprints.year_fingerprint,
    {{ elp_warehouse.load_timestamp() }} as loaded_at
from cells
inner join year_fingerprints
    on cells.year = year_fingerprints.year
