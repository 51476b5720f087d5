-- Population and supply seeds (conventioned providers, licensed psychologists, budget) per ELP
-- year and area: every province (Brussels-Capital Region as a province), plus the national
-- row (area `belgium`) as the sum of the provinces. A national total stays null when a
-- province lacks its row, rather than silently undercounting. The population is the IMA
-- population with the weights' latest-available-year rule (int_population_cells).
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

province_rows as (
    select
        years.year,
        provinces.province_code as area,
        provinces.region,
        population.population_year,
        population.population,
        providers.providers,
        providers.is_estimate as providers_is_estimate,
        licensed.licensed,
        licensed.is_estimate as licensed_is_estimate,
        budget.budget_eur,
        budget.is_estimate as budget_is_estimate
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
),

-- an is_estimate flag is false, not null, when no province has a seed row (the total is null)
national_row as (
    select
        year,
        'belgium' as area,
        cast(null as {{ dbt.type_string() }}) as region,
        max(population_year) as population_year,
        case when count(population) = count(*) then sum(population) end as population,
        case when count(providers) = count(*) then sum(providers) end as providers,
        coalesce({{ dbt.bool_or('providers_is_estimate') }}, false) as providers_is_estimate,
        case when count(licensed) = count(*) then sum(licensed) end as licensed,
        coalesce({{ dbt.bool_or('licensed_is_estimate') }}, false) as licensed_is_estimate,
        case when count(budget_eur) = count(*) then sum(budget_eur) end as budget_eur,
        coalesce({{ dbt.bool_or('budget_is_estimate') }}, false) as budget_is_estimate
    from province_rows
    group by year
)

select * from province_rows
union all
select * from national_row
