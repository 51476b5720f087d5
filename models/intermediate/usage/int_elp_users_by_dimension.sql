{{ config(materialized='view') }}
-- ELP users (member-years with at least one ELP service) counted per year x dimension x
-- category x weighting group and per function / setting pattern: the input of
-- int_elp_user_pattern_shares, whose shares are ratios among the subgroup's users.
{%- set user_columns = [
    'year', 'weighting_group', 'group_population', 'group_members', 'elp_function',
    'elp_setting_pattern', 'uses_elp_office', 'uses_elp_outreach', 'uses_elp_group', 'uses_elp_home',
    'uses_elp_remote',
] %}

with

users as (
    select * from {{ ref('int_usage_strata') }}
    where uses_elp and year >= {{ var('elp_start_year') }}
),

unpivoted as (
    {{ unpivot_dimensions(
        'users', user_columns + ['member_years'], extra={'network_type': 'elp_network_type'}
    ) }}
)

select
    dimension,
    category,
    {{ user_columns | join(',\n    ') }},
    sum(member_years) as users
from unpivoted
group by dimension, category, {{ user_columns | join(', ') }}
