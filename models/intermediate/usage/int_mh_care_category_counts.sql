{{ config(materialized='view') }}
-- Member-years per year x weighting group in each mental-health care category of Figures 1
-- and 2 (input of mart_mh_care_use): the exclusive category of the member-year
-- (macros/care/mh_care_categories.sql) and the aggregates of the figures, which overlap it and
-- each other, so a member-year counts in every category it belongs to. A conventioned session
-- and an AV refund in the same year count as conventioned (fn 14), hence psychologist_av.
{#- (classification, category, is_exclusive, the member-years in it) -#}
{%- set categories = [
    ('figure_1', 'mh_care_figure_1', 'true', 'mh_care_figure_1 is not null'),
    ('figure_1', "'any_mh_care'", 'false', 'mh_care_figure_1 is not null'),
    ('figure_1', "'ambulatory_total'", 'false', 'uses_psychiatrist or uses_elp or uses_av_psychologist'),
    ('figure_1', "'psychotropics_total'", 'false',
        "mh_care_figure_1 in ('psychotropics_only', 'psychotropics_with_ambulatory')"),
    ('figure_1', "'psychotropics_total_incl_acute'", 'false', 'uses_psychotropic'),
    ('figure_1', "'acute_rehab_any'", 'false', 'uses_acute_rehab'),
    ('figure_2', 'mh_care_figure_2', 'true', 'mh_care_figure_2 is not null'),
    ('figure_2', "'ambulatory_total'", 'false', 'mh_care_figure_2 is not null'),
    ('figure_2', "'psychiatrist_any'", 'false', 'uses_psychiatrist'),
    ('figure_2', "'psychologist_conventioned'", 'false', 'uses_elp'),
    ('figure_2', "'psychologist_av'", 'false', 'uses_av_psychologist and not uses_elp'),
    ('figure_2', "'psychologist_conventioned_with_psychiatrist'", 'false', 'uses_elp and uses_psychiatrist'),
] %}

with

strata as (
    select * from {{ ref('int_usage_strata') }}
),

memberships as (
    {%- for classification, category, is_exclusive, condition in categories %}
        select
            year,
            weighting_group,
            member_years,
            '{{ classification }}' as classification,
            {{ category }} as category,
            {{ is_exclusive }} as is_exclusive
        from strata
        where {{ condition }}
        {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select
    year,
    weighting_group,
    classification,
    category,
    is_exclusive,
    sum(member_years) as member_years
from memberships
group by year, weighting_group, classification, category, is_exclusive
