{{ config(materialized='view') }}
-- One typed stream of all reimbursed mental-health care: claims (ELP, psychiatrist, acute,
-- rehabilitation/residential), psychotropic dispensings and complementary-insurance (AV)
-- psychologist refunds. Figure 1/2 categories, prior care and the before/during/after windows
-- are all filters on this stream, so the raw tables are interpreted in exactly one place.
with

claims as (
    select
        member_id,
        service_date as event_date,
        care_type,
        cast(null as {{ dbt.type_string() }}) as atc_class,
        elp_function,
        elp_setting,
        elp_network_type,
        network_id,
        provider_id,
        quantity,
        amount_insurance_eur,
        'claims' as source_table
    from {{ ref('int_claims_netted') }}
    where care_type <> 'other'
),

dispensings as (
    select
        member_id,
        dispensing_date as event_date,
        'psychotropic' as care_type,
        atc_class,
        cast(null as {{ dbt.type_string() }}) as elp_function,
        cast(null as {{ dbt.type_string() }}) as elp_setting,
        cast(null as {{ dbt.type_string() }}) as elp_network_type,
        cast(null as {{ dbt.type_string() }}) as network_id,
        cast(null as {{ dbt.type_string() }}) as provider_id,
        1 as quantity,
        amount_insurance_eur,
        'pharmacy_dispensings' as source_table
    from {{ ref('int_pharmacy_dispensings_netted') }}
    where atc_class is not null
),

refunds as (
    select
        member_id,
        service_date as event_date,
        'av_psychologist' as care_type,
        cast(null as {{ dbt.type_string() }}) as atc_class,
        cast(null as {{ dbt.type_string() }}) as elp_function,
        cast(null as {{ dbt.type_string() }}) as elp_setting,
        cast(null as {{ dbt.type_string() }}) as elp_network_type,
        cast(null as {{ dbt.type_string() }}) as network_id,
        cast(null as {{ dbt.type_string() }}) as provider_id,
        sessions as quantity,
        cast(null as {{ dbt.type_numeric() }}) as amount_insurance_eur,
        'complementary_refunds' as source_table
    from {{ ref('stg_complementary_refunds') }}
    where is_psychologist_session
),

unioned as (
    select * from claims
    union all
    select * from dispensings
    union all
    select * from refunds
)

select
    *,
    cast(extract(year from event_date) as {{ dbt.type_int() }}) as year
from unioned
