-- ELP use per year x dimension x category x weighting group x age group x sex, as counts of
-- member-years with (y = 1) and without (y = 0) use: the input of every usage estimate
-- (rates, age-sex standardisation, the detainee rule). The network type "dimension" is an
-- outcome, not an attribute: its domain is the whole population and y = uses that network.
{%- set stratum_columns = [
    'year', 'weighting_group', 'group_population', 'group_members', 'age_group', 'sex_code',
] %}

with

strata as (
    select
        *,
        sex as sex_code,
        case when uses_elp then 1 else 0 end as y
    from {{ ref('int_usage_strata') }}
    where year >= {{ var('elp_start_year') }}
),

by_attribute as (
    {{ unpivot_dimensions('strata', stratum_columns + ['y', 'member_years']) }}
),

networks as (
    select 'adults' as network_type
    union all
    select 'children_adolescents' as network_type
),

by_network as (
    select
        'network_type' as dimension,
        networks.network_type as category,
        {{ stratum_columns | join(',\n        ') }},
        case when strata.elp_network_type = networks.network_type then 1 else 0 end as y,
        strata.member_years
    from strata
    cross join networks
),

unioned as (
    select * from by_attribute
    union all
    select * from by_network
)

select
    dimension,
    category,
    {{ stratum_columns | join(',\n    ') }},
    y,
    sum(member_years) as member_years
from unioned
group by dimension, category, {{ stratum_columns | join(', ') }}, y
