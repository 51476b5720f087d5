{{ config(materialized='table') }}
-- Raw claims read once: typed, with `rejection_rule` = the first contract rule the line breaks
-- (null = valid), `in_cancelled_group` = a valid line whose netting group (member, provider,
-- code, service date) nets to quantity <= 0, i.e. care fully cancelled by corrections, and
-- `in_repeated_group` = the line's group may hold more than one line. Rules live in macro
-- rejection_rules; netting happens in stg_claims, a view that aggregates the repeated groups
-- only (2 % of them at national scale).
{%- set row_columns = [
    'claim_id', 'member_id', 'provider_id', 'service_date', 'booking_date', 'nomenclature_code',
    'quantity', 'amount_insurance_eur', 'amount_patient_eur', 'network_id',
] %}
{%- set netting_group = elp_warehouse.claims_netting_group() | join(', ') %}
{%- set qualified_netting_columns = [] %}
{%- for column in elp_warehouse.claims_netting_group() %}
    {%- do qualified_netting_columns.append('duplicate_checked.' ~ column) %}
{%- endfor %}
with

raw_lines as {{ elp_warehouse.cte_hint('inline') }} (
    select * from {{ source('raw', 'claims') }}
),

nomenclature_codes as (
    select distinct cast(nomenclature_code as {{ dbt.type_string() }}) as nomenclature_code
    from {{ ref('nomenclature_codes') }}
),

networks as (
    select distinct cast(network_id as {{ dbt.type_string() }}) as network_id
    from {{ ref('mh_networks') }}
),

typed_lines as {{ elp_warehouse.cte_hint('inline') }} (
    select
        cast(claim_id as {{ dbt.type_string() }}) as claim_id,
        cast(member_id as {{ dbt.type_string() }}) as member_id,
        cast(provider_id as {{ dbt.type_string() }}) as provider_id,
        cast(service_date as date) as service_date,
        cast(booking_date as date) as booking_date,
        cast(nomenclature_code as {{ dbt.type_string() }}) as nomenclature_code,
        cast(quantity as {{ dbt.type_int() }}) as quantity,
        cast(amount_insurance_eur as {{ elp_warehouse.type_amount() }}) as amount_insurance_eur,
        cast(amount_patient_eur as {{ elp_warehouse.type_amount() }}) as amount_patient_eur,
        cast(network_id as {{ dbt.type_string() }}) as network_id
    from raw_lines
),

looked_up_lines as {{ elp_warehouse.cte_hint('inline') }} (
    select
        typed_lines.*,
        nomenclature_codes.nomenclature_code is not null as nomenclature_code_known,
        networks.network_id is not null as network_id_known
    from typed_lines
    left join nomenclature_codes
        on typed_lines.nomenclature_code = nomenclature_codes.nomenclature_code
    left join networks
        on typed_lines.network_id = networks.network_id
),

row_checked as {{ elp_warehouse.cte_hint('inline') }} (
    select
        *,
        {{ elp_warehouse.first_broken_row_rule('claims') }} as row_rule
    from looked_up_lines
),

{{ elp_warehouse.duplicate_checked_cte(
    'row_checked', hashed_relation='typed_lines', key_columns=['claim_id'], row_columns=row_columns,
    key_rule='claim_id_duplicate'
) }},

-- corrections are rare: the windows below run on the lines of corrected groups only
corrected_groups as {{ elp_warehouse.cte_hint('materialize') }} (
    select distinct {{ netting_group }}
    from duplicate_checked
    where rejection_rule is null and quantity < 0
),

-- groups of more than one line, which stg_claims nets; the others pass through as they are.
-- Found by a 64-bit hash of the group's key over every line, valid or not (no rule is
-- evaluated for it): a superset of the repeated valid groups, and a group marked without
-- need goes through the netting, which gives the same rows
repeated_groups as {{ elp_warehouse.cte_hint('materialize') }} (
    select {{ elp_warehouse.row_hash(elp_warehouse.claims_netting_group()) }} as group_hash
    from typed_lines
    group by {{ elp_warehouse.row_hash(elp_warehouse.claims_netting_group()) }}
    having count(*) > 1
),

lines_marked as {{ elp_warehouse.cte_hint('inline') }} (
    select
        duplicate_checked.*,
        corrected_groups.member_id is not null as in_corrected_group,
        {{ elp_warehouse.row_hash(qualified_netting_columns) }}
        in (select repeated_groups.group_hash from repeated_groups) as in_repeated_group
    from duplicate_checked
    left join corrected_groups
        on
            {{ elp_warehouse.same_claims_netting_group('duplicate_checked', 'corrected_groups') }}
),

{{ correction_netting(
    row_columns + ['in_repeated_group'], netting_group, 'quantity', booked_before='booking_date'
) }}
