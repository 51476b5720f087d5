-- Need, supply, use and budget of the ELP convention per year and province, plus a national
-- row (province_code 'belgium'): Figure 3 and Annex 1 of the study. The inputs are per year
-- and area: population and supply seeds (int_area_population_supply), need (int_area_need),
-- the extract's use and spending (int_elp_area_services) and the usage-rate units
-- (int_elp_area_rate_units). Every ratio is null, never an error, when its denominator is
-- zero or missing.

with

supply as (
    select * from {{ ref('int_area_population_supply') }}
),

need as (
    select * from {{ ref('int_area_need') }}
),

services as (
    select * from {{ ref('int_elp_area_services') }}
),

rate_units as (
    select * from {{ ref('int_elp_area_rate_units') }}
),

usage_rates as (
    {{ poststratified_ratio('rate_units', ['year', 'area'], 'has_elp', '1', unit_count='n') }}
),

-- services per member-year: only its standard error is used. The published services per 100
-- inhabitants divides by the IMA population, not by the weighted member count, so its Wald
-- interval is centred below (the macro's interval is centred on its own estimate, and
-- linear_combination clips to [0, 1], which a count per 100 inhabitants exceeds)
service_rates as (
    {{ poststratified_ratio('rate_units', ['year', 'area'], 'services', '1', bounded=false, unit_count='n') }}
),

-- an area without ELP users in the year has no extract row: zero use, not unknown
areas as (
    select
        supply.*,
        coalesce(services.users_observed, 0) as users_observed,
        coalesce(services.services_observed, 0) as services_observed,
        coalesce(services.services_extrapolated, 0) as services_extrapolated,
        coalesce(services.spending_eur_extrapolated, 0) as spending_eur_extrapolated,
        coalesce(services.providers_seen, 0) as providers_seen,
        100.0 * coalesce(services.services_extrapolated, 0) / nullif(supply.population, 0)
            as services_per_100_inhabitants,
        1.959964 * 100 * service_rates.standard_error as services_per_100_half_width
    from supply
    left join services
        on supply.year = services.year and supply.area = services.area
    left join service_rates
        on supply.year = service_rates.year and supply.area = service_rates.area
),

labels as (
    select * from {{ ref('labels') }}
)

select
    cast(areas.year as {{ dbt.type_int() }}) as year,
    cast(areas.area as {{ dbt.type_string() }}) as province_code,
    cast(areas.region as {{ dbt.type_string() }}) as region,
    cast(area_labels.label_nl as {{ dbt.type_string() }}) as label_nl,
    cast(area_labels.label_fr as {{ dbt.type_string() }}) as label_fr,
    cast(area_labels.label_en as {{ dbt.type_string() }}) as label_en,
    cast(need.ghq2_share as {{ type_double() }}) as ghq2_share,
    cast(need.need_year as {{ dbt.type_int() }}) as need_year,
    cast(need.is_estimate as {{ dbt.type_boolean() }}) as need_is_estimate,
    cast(areas.population_year as {{ dbt.type_int() }}) as population_year,
    cast(areas.population as {{ dbt.type_bigint() }}) as population,
    cast(areas.providers as {{ dbt.type_bigint() }}) as providers,
    cast(areas.providers_is_estimate as {{ dbt.type_boolean() }}) as providers_is_estimate,
    cast(100000.0 * areas.providers / nullif(areas.population, 0) as {{ type_double() }})
        as providers_per_100k,
    cast(areas.licensed as {{ dbt.type_bigint() }}) as licensed,
    cast(areas.licensed_is_estimate as {{ dbt.type_boolean() }}) as licensed_is_estimate,
    cast(1.0 * areas.providers / nullif(areas.licensed, 0) as {{ type_double() }})
        as conventioned_share_of_licensed,
    cast(areas.providers_seen as {{ dbt.type_bigint() }}) as providers_seen_observed,
    cast(areas.users_observed as {{ dbt.type_bigint() }}) as users_observed,
    cast(usage_rates.y_total as {{ type_double() }}) as users_extrapolated,
    cast(usage_rates.estimate as {{ type_double() }}) as usage_rate,
    cast(usage_rates.ci_low as {{ type_double() }}) as usage_rate_ci_low,
    cast(usage_rates.ci_high as {{ type_double() }}) as usage_rate_ci_high,
    cast(areas.services_observed as {{ dbt.type_bigint() }}) as services_observed,
    cast(areas.services_extrapolated as {{ type_double() }}) as services_extrapolated,
    cast(areas.services_per_100_inhabitants as {{ type_double() }}) as services_per_100_inhabitants,
    cast(areas.services_per_100_inhabitants - areas.services_per_100_half_width as {{ type_double() }})
        as services_per_100_ci_low,
    cast(areas.services_per_100_inhabitants + areas.services_per_100_half_width as {{ type_double() }})
        as services_per_100_ci_high,
    cast(areas.services_extrapolated / nullif(areas.providers, 0) as {{ type_double() }})
        as services_per_provider,
    cast(areas.budget_eur as {{ type_double() }}) as budget_eur,
    cast(areas.budget_is_estimate as {{ dbt.type_boolean() }}) as budget_is_estimate,
    cast(areas.spending_eur_extrapolated as {{ type_double() }}) as spending_eur_extrapolated,
    cast(areas.spending_eur_extrapolated / nullif(areas.budget_eur, 0) as {{ type_double() }})
        as budget_utilisation
from areas
left join need
    on areas.year = need.year and areas.area = need.area
left join usage_rates
    on areas.year = usage_rates.year and areas.area = usage_rates.area
left join labels as area_labels
    on
        area_labels.dimension = case when areas.area = 'belgium' then 'total' else 'province' end
        and areas.area = area_labels.category
