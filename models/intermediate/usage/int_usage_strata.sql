-- Member-years counted per weighting group and per combination of the attributes and care
-- categories the usage marts break down by. Every usage mart reads this small table instead
-- of the member-year rows: estimates need only counts per stratum (see poststratified_ratio's
-- unit_count), and the table is orders of magnitude smaller than the member-years.
{%- set stratum_columns = [
    'year', 'weighting_group', 'group_population', 'group_members', breakdown_columns(),
    'uses_elp', 'uses_psychiatrist', 'uses_av_psychologist', 'uses_psychotropic',
    'uses_acute_rehab', 'mh_care_figure_1', 'mh_care_figure_2', 'elp_function',
    'elp_setting_pattern', 'elp_network_type', 'uses_elp_office', 'uses_elp_outreach',
    'uses_elp_group', 'uses_elp_home', 'uses_elp_remote',
] %}
select
    {{ stratum_columns | join(',\n    ') }},
    count(*) as member_years
from {{ ref('int_member_year_usage') }}
group by
    {{ stratum_columns | join(',\n    ') }}
