-- ELP use and spending per year and area (province of domicile, or `belgium`) as observed in
-- the extract and extrapolated with the member-year weights, and the providers seen in the
-- extract: the extract side of mart_elp_province_overview.
with

user_areas as (
    select * from {{ ref('int_elp_user_area_services') }}
),

-- a provider counts in the province where most of its services in the extract were given to
-- residents (ties: first province code), so the provinces add up to the national count
provider_provinces as (
    select
        year,
        provider_id,
        province_code,
        row_number() over (
            partition by year, provider_id
            order by sum(services) desc, province_code
        ) as province_rank
    from {{ ref('int_elp_member_services') }}
    where provider_id is not null
    group by year, provider_id, province_code
),

providers_seen as (
    select
        year,
        province_code as area,
        count(*) as providers_seen
    from provider_provinces
    where province_rank = 1
    group by year, province_code
    union all
    select
        year,
        'belgium' as area,
        count(*) as providers_seen
    from provider_provinces
    where province_rank = 1
    group by year
),

area_totals as (
    select
        year,
        area,
        count(*) as users_observed,
        sum(services) as services_observed,
        sum(services * expansion_factor) as services_extrapolated,
        sum(amount_insurance_eur * expansion_factor) as spending_eur_extrapolated
    from user_areas
    group by year, area
)

select
    area_totals.year,
    area_totals.area,
    area_totals.users_observed,
    area_totals.services_observed,
    area_totals.services_extrapolated,
    area_totals.spending_eur_extrapolated,
    coalesce(providers_seen.providers_seen, 0) as providers_seen
from area_totals
left join providers_seen
    on area_totals.year = providers_seen.year and area_totals.area = providers_seen.area
