-- Need, supply, use and budget of the ELP convention per year and province, plus a national
-- row (province_code 'belgium'): Figure 3 and Annex 1 of the study. Supply counts, licensed
-- psychologists and budgets come from seeds; services, spending and use from the extract,
-- extrapolated with the member-year weights; denominators from the IMA population with the
-- weights' latest-available-year rule (int_population_cells). Every ratio is null, never an
-- error, when its denominator is zero or missing.

with

analysis_years as (
    {{ analysis_years() }}
),

years as (
    select year from analysis_years
    where year >= {{ var('elp_start_year') }}
),

provinces as (
    select
        province_code,
        region
    from {{ ref('provinces') }}
),

population as (
    select
        year,
        province_code,
        max(population_year) as population_year,
        sum(population) as population
    from {{ ref('int_population_cells') }}
    where year between {{ var('elp_start_year') }} and {{ var('last_year') }}
    group by year, province_code
),

-- need: the latest survey wave not later than the year (HIS 2018 for every ELP year)
need_waves as (
    select
        years.year,
        max(ghq_need.year) as need_year
    from years
    inner join {{ ref('ghq_need') }} as ghq_need
        on years.year >= ghq_need.year
    group by years.year
),

need as (
    select
        need_waves.year,
        need_waves.need_year,
        case when ghq_need.dimension = 'total' then 'belgium' else ghq_need.category end
            as province_code,
        ghq_need.ghq2_share,
        ghq_need.is_estimate
    from need_waves
    inner join {{ ref('ghq_need') }} as ghq_need
        on need_waves.need_year = ghq_need.year
    where ghq_need.dimension in ('total', 'province')
),

providers as (
    select
        year,
        province_code,
        providers,
        is_estimate
    from {{ ref('elp_providers') }}
    where network_type = 'all'
),

licensed as (
    select
        year,
        province_code,
        licensed,
        is_estimate
    from {{ ref('licensed_psychologists') }}
),

budget as (
    select
        year,
        province_code,
        budget_eur,
        is_estimate
    from {{ ref('elp_budget') }}
),

services as (
    select * from {{ ref('int_elp_member_services') }}
),

member_year_services as (
    select
        year,
        member_id,
        province_code,
        weighting_group,
        max(group_population) as group_population,
        max(group_members) as group_members,
        max(expansion_factor) as expansion_factor,
        sum(services) as services,
        sum(cast(amount_insurance_eur as {{ type_double() }})) as amount_insurance_eur
    from services
    group by year, member_id, province_code, weighting_group
),

-- members without ELP services, pre-aggregated per stratum and province (unit_count n): the
-- rate estimators need every member-year, but only users need their own row
spine_strata as (
    select
        year,
        province_code,
        weighting_group,
        max(group_population) as group_population,
        max(group_members) as group_members,
        count(*) as members
    from {{ ref('int_member_years') }}
    where year between {{ var('elp_start_year') }} and {{ var('last_year') }}
    group by year, province_code, weighting_group
),

user_strata as (
    select
        year,
        province_code,
        weighting_group,
        count(*) as users
    from member_year_services
    group by year, province_code, weighting_group
),

rate_units as (
    select
        year,
        province_code,
        weighting_group,
        group_population,
        group_members,
        1 as has_elp,
        services,
        1 as n
    from member_year_services
    union all
    select
        spine_strata.year,
        spine_strata.province_code,
        spine_strata.weighting_group,
        spine_strata.group_population,
        spine_strata.group_members,
        0 as has_elp,
        0 as services,
        spine_strata.members - coalesce(user_strata.users, 0) as n
    from spine_strata
    left join user_strata
        on
            spine_strata.year = user_strata.year
            and spine_strata.province_code = user_strata.province_code
            and spine_strata.weighting_group = user_strata.weighting_group
    where spine_strata.members > coalesce(user_strata.users, 0)
),

rate_input as (
    select
        year,
        province_code as area,
        weighting_group,
        group_population,
        group_members,
        has_elp,
        services,
        1 as x,
        n
    from rate_units
    union all
    select
        year,
        'belgium' as area,
        weighting_group,
        group_population,
        group_members,
        has_elp,
        services,
        1 as x,
        n
    from rate_units
),

usage_rates as (
    {{ poststratified_ratio('rate_input', ['year', 'area'], 'has_elp', 'x', unit_count='n') }}
),

-- services per member-year: only its standard error is used (the point estimate divides by
-- the IMA population, not by the weighted member count)
service_rates as (
    {{ poststratified_ratio('rate_input', ['year', 'area'], 'services', 'x', bounded=false, unit_count='n') }}
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
    from services
    where provider_id is not null
    group by year, provider_id, province_code
),

province_extract as (
    select
        member_year_services.year,
        member_year_services.province_code,
        count(*) as users_observed,
        sum(member_year_services.services) as services_observed,
        sum(member_year_services.services * member_year_services.expansion_factor)
            as services_extrapolated,
        sum(member_year_services.amount_insurance_eur * member_year_services.expansion_factor)
            as spending_eur
    from member_year_services
    group by member_year_services.year, member_year_services.province_code
),

province_providers_seen as (
    select
        year,
        province_code,
        count(*) as providers_seen
    from provider_provinces
    where province_rank = 1
    group by year, province_code
),

province_rows as (
    select
        years.year,
        provinces.province_code,
        provinces.region,
        population.population_year,
        population.population,
        providers.providers,
        providers.is_estimate as providers_is_estimate,
        licensed.licensed,
        licensed.is_estimate as licensed_is_estimate,
        budget.budget_eur,
        budget.is_estimate as budget_is_estimate,
        coalesce(province_extract.users_observed, 0) as users_observed,
        coalesce(province_extract.services_observed, 0) as services_observed,
        coalesce(province_extract.services_extrapolated, 0) as services_extrapolated,
        coalesce(province_extract.spending_eur, 0) as spending_eur_extrapolated,
        coalesce(province_providers_seen.providers_seen, 0) as providers_seen
    from years
    cross join provinces
    left join population
        on years.year = population.year and provinces.province_code = population.province_code
    left join providers
        on years.year = providers.year and provinces.province_code = providers.province_code
    left join licensed
        on years.year = licensed.year and provinces.province_code = licensed.province_code
    left join budget
        on years.year = budget.year and provinces.province_code = budget.province_code
    left join province_extract
        on
            years.year = province_extract.year
            and provinces.province_code = province_extract.province_code
    left join province_providers_seen
        on
            years.year = province_providers_seen.year
            and provinces.province_code = province_providers_seen.province_code
),

-- national = sum of the provinces; a supply total stays null when a province lacks its seed
-- row, rather than silently undercounting
national_row as (
    select
        year,
        'belgium' as province_code,
        cast(null as {{ dbt.type_string() }}) as region,
        max(population_year) as population_year,
        case when count(population) = count(*) then sum(population) end as population,
        case when count(providers) = count(*) then sum(providers) end as providers,
        max(case when providers_is_estimate then 1 else 0 end) = 1 as providers_is_estimate,
        case when count(licensed) = count(*) then sum(licensed) end as licensed,
        max(case when licensed_is_estimate then 1 else 0 end) = 1 as licensed_is_estimate,
        case when count(budget_eur) = count(*) then sum(budget_eur) end as budget_eur,
        max(case when budget_is_estimate then 1 else 0 end) = 1 as budget_is_estimate,
        sum(users_observed) as users_observed,
        sum(services_observed) as services_observed,
        sum(services_extrapolated) as services_extrapolated,
        sum(spending_eur_extrapolated) as spending_eur_extrapolated,
        sum(providers_seen) as providers_seen
    from province_rows
    group by year
),

all_rows as (
    select * from province_rows
    union all
    select * from national_row
),

labels as (
    select * from {{ ref('labels') }}
)

select
    cast(all_rows.year as {{ dbt.type_int() }}) as year,
    cast(all_rows.province_code as {{ dbt.type_string() }}) as province_code,
    cast(all_rows.region as {{ dbt.type_string() }}) as region,
    cast(area_labels.label_nl as {{ dbt.type_string() }}) as label_nl,
    cast(area_labels.label_fr as {{ dbt.type_string() }}) as label_fr,
    cast(area_labels.label_en as {{ dbt.type_string() }}) as label_en,
    cast(need.ghq2_share as {{ type_double() }}) as ghq2_share,
    cast(need.need_year as {{ dbt.type_int() }}) as need_year,
    cast(need.is_estimate as {{ dbt.type_boolean() }}) as need_is_estimate,
    cast(all_rows.population_year as {{ dbt.type_int() }}) as population_year,
    cast(all_rows.population as {{ dbt.type_bigint() }}) as population,
    cast(all_rows.providers as {{ dbt.type_bigint() }}) as providers,
    cast(all_rows.providers_is_estimate as {{ dbt.type_boolean() }}) as providers_is_estimate,
    cast(100000.0 * all_rows.providers / nullif(all_rows.population, 0) as {{ type_double() }})
        as providers_per_100k,
    cast(all_rows.licensed as {{ dbt.type_bigint() }}) as licensed,
    cast(all_rows.licensed_is_estimate as {{ dbt.type_boolean() }}) as licensed_is_estimate,
    cast(1.0 * all_rows.providers / nullif(all_rows.licensed, 0) as {{ type_double() }})
        as conventioned_share_of_licensed,
    cast(all_rows.providers_seen as {{ dbt.type_bigint() }}) as providers_seen_observed,
    cast(all_rows.users_observed as {{ dbt.type_bigint() }}) as users_observed,
    cast(usage_rates.y_total as {{ type_double() }}) as users_extrapolated,
    cast(usage_rates.estimate as {{ type_double() }}) as usage_rate,
    cast(usage_rates.ci_low as {{ type_double() }}) as usage_rate_ci_low,
    cast(usage_rates.ci_high as {{ type_double() }}) as usage_rate_ci_high,
    cast(all_rows.services_observed as {{ dbt.type_bigint() }}) as services_observed,
    cast(all_rows.services_extrapolated as {{ type_double() }}) as services_extrapolated,
    cast(100.0 * all_rows.services_extrapolated / nullif(all_rows.population, 0) as {{ type_double() }})
        as services_per_100_inhabitants,
    cast(
        100.0 * all_rows.services_extrapolated / nullif(all_rows.population, 0)
        - 1.959964 * 100 * service_rates.standard_error
        as {{ type_double() }}
    ) as services_per_100_ci_low,
    cast(
        100.0 * all_rows.services_extrapolated / nullif(all_rows.population, 0)
        + 1.959964 * 100 * service_rates.standard_error
        as {{ type_double() }}
    ) as services_per_100_ci_high,
    cast(all_rows.services_extrapolated / nullif(all_rows.providers, 0) as {{ type_double() }})
        as services_per_provider,
    cast(all_rows.budget_eur as {{ type_double() }}) as budget_eur,
    cast(all_rows.budget_is_estimate as {{ dbt.type_boolean() }}) as budget_is_estimate,
    cast(all_rows.spending_eur_extrapolated as {{ type_double() }}) as spending_eur_extrapolated,
    cast(all_rows.spending_eur_extrapolated / nullif(all_rows.budget_eur, 0) as {{ type_double() }})
        as budget_utilisation
from all_rows
left join need
    on all_rows.year = need.year and all_rows.province_code = need.province_code
left join usage_rates
    on all_rows.year = usage_rates.year and all_rows.province_code = usage_rates.area
left join service_rates
    on all_rows.year = service_rates.year and all_rows.province_code = service_rates.area
left join labels as area_labels
    on
        area_labels.dimension = case when all_rows.province_code = 'belgium' then 'total' else 'province' end
        and all_rows.province_code = area_labels.category
