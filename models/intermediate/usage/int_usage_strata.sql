{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ elp_warehouse.stale_years_delete(elp_warehouse.usage_year_fingerprints()) }}",
) }}
-- Member-years counted per weighting group and per combination of the attributes and care
-- categories the usage marts break down by. Every usage mart reads this small table instead
-- of the member-year rows: estimates need only counts per stratum (see poststratified_ratio's
-- unit_count), and the table is orders of magnitude smaller than the member-years.
-- Incremental by year: a year is counted again when its member-years or their care rows
-- changed (macros/incremental/year_increment.sql).
{%- set stratum_columns = [
    'year', 'weighting_group', 'group_population', 'group_members', breakdown_columns(),
    'uses_elp', 'uses_psychiatrist', 'uses_av_psychologist', 'uses_psychotropic',
    'uses_acute_rehab', 'mh_care_figure_1', 'mh_care_figure_2', 'elp_function',
    'elp_setting_pattern', 'elp_network_type', 'elp_office', 'elp_outreach', 'elp_group',
    'elp_home', 'elp_remote',
] %}
{%- set build_years = elp_warehouse.years_to_build(elp_warehouse.usage_year_fingerprints()) %}
with

year_fingerprints as {{ elp_warehouse.cte_hint('materialize') }} (
    {{ elp_warehouse.usage_year_fingerprints(build_years) | indent(4) }}
),

member_years as (
    select * from {{ ref('int_member_year_usage') }}
    where {{ elp_warehouse.years_filter('year', build_years) }}
),

strata as (
    select
        {{ stratum_columns | join(',\n        ') }},
        count(*) as member_years
    from member_years
    group by
        {{ stratum_columns | join(',\n        ') }}
)

select
    strata.*,
    year_fingerprints.year_fingerprint,
    {{ elp_warehouse.load_timestamp() }} as loaded_at
from strata
inner join year_fingerprints
    on strata.year = year_fingerprints.year
