-- Table 1's services by function (mart_elp_services_mix, Belgium) and the supply overview's
-- services of Belgium are the same netted ELP services, weighted the same way.
with

mix as (
    select
        year,
        sum(services_observed) as services_observed,
        sum(services_extrapolated) as services_extrapolated
    from {{ ref('mart_elp_services_mix') }}
    where
        area = 'belgium'
        and dimension = 'function'
    group by year
)

select
    overview.year,
    overview.services_observed,
    mix.services_observed as mix_services_observed,
    overview.services_extrapolated,
    mix.services_extrapolated as mix_services_extrapolated
from {{ ref('mart_elp_province_overview') }} as overview
left join mix
    on overview.year = mix.year
where
    overview.province_code = 'belgium'
    and overview.services_observed > 0
    and (
        mix.year is null
        or overview.services_observed <> mix.services_observed
        or abs(overview.services_extrapolated - mix.services_extrapolated)
        > 1e-9 * greatest(abs(overview.services_extrapolated), 1)
    )
