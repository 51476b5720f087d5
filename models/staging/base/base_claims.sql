{{ config(materialized='table') }}
-- Raw claims read once: typed, with `rejection_rule` = the first contract rule the line breaks
-- (null = valid) and `in_cancelled_group` = a valid line whose netting group (member, provider,
-- code, service date) nets to quantity <= 0, i.e. care fully cancelled by corrections.
-- Rules live in macro rejection_rules; netting happens in stg_claims.
{%- set row_columns = [
    'claim_id', 'member_id', 'provider_id', 'service_date', 'booking_date', 'nomenclature_code',
    'quantity', 'amount_insurance_eur', 'amount_patient_eur', 'network_id',
] %}
{%- set netting_group = 'member_id, provider_id, nomenclature_code, service_date' %}
with

raw_lines as (
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

typed_lines as (
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

looked_up_lines as (
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

row_checked as (
    select
        *,
        {{ elp_warehouse.first_broken_row_rule('claims') }} as row_rule
    from looked_up_lines
),

{{ elp_warehouse.duplicate_checked_cte(
    'row_checked', key_columns=['claim_id'], row_columns=row_columns,
    key_rule='claim_id_duplicate'
) }},

-- corrections are rare: the windows below run on the lines of corrected groups only
corrected_groups as (
    select distinct
        member_id,
        provider_id,
        nomenclature_code,
        service_date
    from duplicate_checked
    where rejection_rule is null and quantity < 0
),

lines_marked as (
    select
        duplicate_checked.*,
        corrected_groups.member_id is not null as in_corrected_group
    from duplicate_checked
    left join corrected_groups
        on
            duplicate_checked.member_id = corrected_groups.member_id
            and duplicate_checked.provider_id is not distinct from corrected_groups.provider_id
            and duplicate_checked.nomenclature_code = corrected_groups.nomenclature_code
            and duplicate_checked.service_date = corrected_groups.service_date
),

corrected_lines_counted as (
    select
        *,
        sum(case when rejection_rule is null and quantity > 0 then 1 else 0 end) over (
            partition by {{ netting_group }} order by booking_date
            range between unbounded preceding and current row
        ) as positive_lines_booked_before
    from lines_marked
    where in_corrected_group
),

corrected_lines_checked as (
    select
        {{ row_columns | join(',\n        ') }},
        case
            when rejection_rule is not null then rejection_rule
            when quantity < 0 and positive_lines_booked_before = 0 then 'unmatched_correction'
        end as rejection_rule
    from corrected_lines_counted
),

corrected_lines_netted as (
    select
        *,
        sum(case when rejection_rule is null then quantity else 0 end) over (
            partition by {{ netting_group }}
        ) as group_net_quantity
    from corrected_lines_checked
)

select
    {{ row_columns | join(',\n    ') }},
    rejection_rule,
    false as in_cancelled_group
from lines_marked
where not in_corrected_group

union all

select
    {{ row_columns | join(',\n    ') }},
    rejection_rule,
    rejection_rule is null and group_net_quantity <= 0 as in_cancelled_group
from corrected_lines_netted
