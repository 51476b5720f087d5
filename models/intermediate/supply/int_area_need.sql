-- Need for mental health care per ELP year and area: the share with a GHQ-12 score of 2 or
-- more (seed ghq_need, Sciensano HIS) of the latest survey wave not later than the year (HIS
-- 2018 for every ELP year). Provinces use the wave's `province` rows; the national row (area
-- `belgium`) its `total` row, a survey estimate of its own rather than a sum of provinces.
with

analysis_years as (
    {{ analysis_years() }}
),

need_waves as (
    select
        analysis_years.year,
        max(ghq_need.year) as need_year
    from analysis_years
    inner join {{ ref('ghq_need') }} as ghq_need
        on analysis_years.year >= ghq_need.year
    where analysis_years.year >= {{ var('elp_start_year') }}
    group by analysis_years.year
)

select
    need_waves.year,
    case when ghq_need.dimension = 'total' then 'belgium' else ghq_need.category end as area,
    need_waves.need_year,
    ghq_need.ghq2_share,
    ghq_need.is_estimate
from need_waves
inner join {{ ref('ghq_need') }} as ghq_need
    on need_waves.need_year = ghq_need.year
where ghq_need.dimension in ('total', 'province')
