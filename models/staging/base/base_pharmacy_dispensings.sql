{{ config(materialized='table') }}
-- Raw pharmacy_dispensings read once: typed, with `rejection_rule` = the first contract rule the
-- line breaks (null = valid), `in_cancelled_group` = a valid line whose netting group
-- (member, dispensing date, ATC code, pharmacy type) nets to ddd <= 0 and `in_repeated_group`
-- = the group may hold more than one line. Rules live in macro rejection_rules; netting
-- happens in int_pharmacy_dispensings_netted, a view that aggregates the repeated groups only.
{%- set row_columns = [
    'dispensing_id', 'member_id', 'dispensing_date', 'booking_date', 'atc_code', 'ddd',
    'pharmacy_type', 'amount_insurance_eur',
] %}
{%- set netting_columns = ['member_id', 'dispensing_date', 'atc_code', 'pharmacy_type'] %}
with

raw_lines as {{ cte_hint('inline') }} (
    select * from {{ source('raw', 'pharmacy_dispensings') }}
),

typed_lines as {{ cte_hint('inline') }} (
    select
        cast(dispensing_id as {{ dbt.type_string() }}) as dispensing_id,
        cast(member_id as {{ dbt.type_string() }}) as member_id,
        cast(dispensing_date as date) as dispensing_date,
        cast(booking_date as date) as booking_date,
        cast(atc_code as {{ dbt.type_string() }}) as atc_code,
        cast(ddd as {{ type_double() }}) as ddd,
        cast(pharmacy_type as {{ dbt.type_string() }}) as pharmacy_type,
        cast(amount_insurance_eur as {{ type_amount() }}) as amount_insurance_eur
    from raw_lines
),

row_checked as {{ cte_hint('inline') }} (
    select
        *,
        {{ first_broken_row_rule('pharmacy_dispensings', ref('base_known_members')) }} as row_rule
    from typed_lines
),

{{ duplicate_checked_cte(
    'row_checked', key_columns=['dispensing_id'], row_columns=row_columns,
    key_rule='dispensing_id_duplicate'
) }},

{{ correction_netting(
    row_columns, netting_columns, 'ddd', hashed_relation='typed_lines'
) }}
