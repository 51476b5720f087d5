{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ elp_warehouse.stale_years_delete(elp_warehouse.member_years_stored_fingerprints()) }}",
    post_hook="{{ elp_warehouse.replaced_rows_delete(['year', 'weighting_group']) }}",
) }}
-- Member-years counted per weighting group and per combination of the attributes and care
-- categories the usage marts break down by. Every usage mart reads this small table instead
-- of the member-year rows: estimates need only counts per stratum (see poststratified_ratio's
-- unit_count), and the table is orders of magnitude smaller than the member-years.
-- Incremental by year and weighting group: a year is counted again when its member-years
-- changed, a weighting group of a year when the care of one of its member-years changed
-- (changed_weighting_groups in macros/incremental/year_increment.sql).
{%- set stratum_columns = [
    'year', 'weighting_group', 'group_population', 'group_members', breakdown_columns(),
    'uses_elp', 'uses_psychiatrist', 'uses_av_psychologist', 'uses_psychotropic',
    'uses_acute_rehab', 'mh_care_figure_1', 'mh_care_figure_2', 'elp_function',
    'elp_setting_pattern', 'elp_network_type', 'elp_office', 'elp_outreach', 'elp_group',
    'elp_home', 'elp_remote',
] %}
{%- set build_years = elp_warehouse.years_to_build(elp_warehouse.member_years_stored_fingerprints()) %}
{%- set groups = elp_warehouse.changed_weighting_groups(
    elp_warehouse.member_year_care_upstreams() + [ref('int_member_year_care')], build_years
) %}
{%- set counted_years = elp_warehouse.counted_years(build_years, groups) %}
with

year_fingerprints as {{ elp_warehouse.cte_hint('materialize') }} (
    {{ elp_warehouse.member_years_stored_fingerprints(counted_years) | indent(4) }}
),

-- the query of int_member_year_usage over the member-years counted again and the care rows
-- of their years only: on the view, the engine would join every year's care rows
member_years as (
    {{ elp_warehouse.member_year_usage(
        '(select * from ' ~ ref('int_member_years') ~ ' where '
            ~ elp_warehouse.weighting_groups_filter(build_years, groups) ~ ')',
        '(select * from ' ~ ref('int_member_year_care') ~ ' where '
            ~ elp_warehouse.years_filter('year', counted_years) ~ ')'
    ) | indent(4) }}
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
