-- Conventioned providers per 100,000 inhabitants of the age population each network type
-- serves, nationally, per year (section 3.2.2): child and adolescent networks per 100,000
-- aged 0-24, adult networks per 100,000 aged 25+, as the study prints them (the networks' own
-- age rules, up to 23 and from 15, overlap; the study's denominators do not). `all` = distinct
-- providers per 100,000 inhabitants. A provider conventioned in both network types counts in
-- both, so the network rows add up to more than `all`.
{%- set adult_age = 25 %}
with

providers as (
    select
        year,
        network_type,
        sum(providers) as providers,
        max(case when is_estimate then 1 else 0 end) = 1 as is_estimate,
        count(*) as provinces_reported
    from {{ ref('elp_providers') }}
    where year between {{ var('elp_start_year') }} and {{ var('last_year') }}
    group by year, network_type
),

province_count as (
    select count(*) as provinces from {{ ref('provinces') }}
),

population as (
    select
        year,
        max(population_year) as population_year,
        sum(population) as population_all,
        sum(case when age_band < {{ adult_age }} then population else 0 end) as population_children,
        sum(case when age_band >= {{ adult_age }} then population else 0 end) as population_adults
    from {{ ref('int_population_cells') }}
    where year between {{ var('elp_start_year') }} and {{ var('last_year') }}
    group by year
),

density as (
    select
        providers.year,
        providers.network_type,
        case providers.network_type
            when 'children_adolescents' then '0-{{ adult_age - 1 }}'
            when 'adults' then '{{ adult_age }}+'
            else 'all'
        end as age_population,
        -- a national count from an incomplete set of provinces would undercount: null instead
        case when providers.provinces_reported = province_count.provinces then providers.providers end
            as providers,
        providers.is_estimate,
        population.population_year,
        case providers.network_type
            when 'children_adolescents' then population.population_children
            when 'adults' then population.population_adults
            else population.population_all
        end as population
    from providers
    cross join province_count
    left join population
        on providers.year = population.year
),

all_providers as (
    select
        year,
        providers as providers_all
    from density
    where network_type = 'all'
),

labels as (
    select * from {{ ref('labels') }}
    where dimension = 'network_type'
)

select
    cast(density.year as {{ dbt.type_int() }}) as year,
    cast(density.network_type as {{ dbt.type_string() }}) as network_type,
    cast(labels.label_nl as {{ dbt.type_string() }}) as label_nl,
    cast(labels.label_fr as {{ dbt.type_string() }}) as label_fr,
    cast(labels.label_en as {{ dbt.type_string() }}) as label_en,
    cast(density.age_population as {{ dbt.type_string() }}) as age_population,
    cast(density.providers as {{ dbt.type_bigint() }}) as providers,
    cast(density.is_estimate as {{ dbt.type_boolean() }}) as providers_is_estimate,
    cast(all_providers.providers_all as {{ dbt.type_bigint() }}) as providers_all,
    cast(1.0 * density.providers / nullif(all_providers.providers_all, 0) as {{ type_double() }})
        as share_of_providers,
    cast(density.population_year as {{ dbt.type_int() }}) as population_year,
    cast(density.population as {{ dbt.type_bigint() }}) as population,
    cast(100000.0 * density.providers / nullif(density.population, 0) as {{ type_double() }})
        as providers_per_100k
from density
left join all_providers
    on density.year = all_providers.year
left join labels
    on density.network_type = labels.category
