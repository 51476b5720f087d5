{{ config(materialized='table') }}
-- Raw claims read once: typed, with `rejection_rule` = the first contract rule the line breaks
-- (null = valid), `in_cancelled_group` = a valid line whose netting group (member, provider,
-- code, service date) nets to quantity <= 0, i.e. care fully cancelled by corrections, and
-- `in_repeated_group` = the line's group may hold more than one line. Rules live in macro
-- rejection_rules; netting happens in int_claims_netted, a view that aggregates the repeated groups
-- only (2 % of them at national scale).
{%- set row_columns = [
    'claim_id', 'member_id', 'provider_id', 'service_date', 'booking_date', 'nomenclature_code',
    'quantity', 'amount_insurance_eur', 'amount_patient_eur', 'network_id',
] %}
with

raw_lines as {{ cte_hint('inline') }} (
    select * from {{ source('raw', 'claims') }}
),

nomenclature_codes as (
    select distinct
        cast(nomenclature_code as {{ dbt.type_string() }}) as nomenclature_code,
        cast(care_type as {{ dbt.type_string() }}) as care_type
    from {{ ref('nomenclature_codes') }}
),

networks as (
    select distinct cast(network_id as {{ dbt.type_string() }}) as network_id
    from {{ ref('mh_networks') }}
),

typed_lines as {{ cte_hint('inline') }} (
    select
        cast(claim_id as {{ dbt.type_string() }}) as claim_id,
        cast(member_id as {{ dbt.type_string() }}) as member_id,
        cast(provider_id as {{ dbt.type_string() }}) as provider_id,
        cast(service_date as date) as service_date,
        cast(booking_date as date) as booking_date,
        cast(nomenclature_code as {{ dbt.type_string() }}) as nomenclature_code,
        cast(quantity as {{ dbt.type_int() }}) as quantity,
        cast(amount_insurance_eur as {{ type_amount() }}) as amount_insurance_eur,
        cast(amount_patient_eur as {{ type_amount() }}) as amount_patient_eur,
        cast(network_id as {{ dbt.type_string() }}) as network_id
    from raw_lines
),

looked_up_lines as {{ cte_hint('inline') }} (
    select
        typed_lines.*,
        nomenclature_codes.nomenclature_code is not null as nomenclature_code_known,
        nomenclature_codes.care_type,
        networks.network_id is not null as network_id_known
    from typed_lines
    left join nomenclature_codes
        on typed_lines.nomenclature_code = nomenclature_codes.nomenclature_code
    left join networks
        on typed_lines.network_id = networks.network_id
),

row_checked as {{ cte_hint('inline') }} (
    select
        *,
        {{ first_broken_row_rule('claims', ref('base_known_members')) }} as row_rule
    from looked_up_lines
),

{{ duplicate_checked_cte(
    'row_checked', hashed_relation='typed_lines', key_columns=['claim_id'], row_columns=row_columns,
    key_rule='claim_id_duplicate'
) }},

{{ correction_netting(
    row_columns, claims_netting_group(), 'quantity', hashed_relation='typed_lines',
    booked_before='booking_date', null_safe_columns=['provider_id']
) }}
