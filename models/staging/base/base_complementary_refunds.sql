{{ config(materialized='table') }}
-- Raw complementary_refunds read once: typed, with `rejection_rule` = the first contract rule
-- the refund breaks (null = valid). Rules live in macro rejection_rules.
{%- set row_columns = [
    'refund_id', 'member_id', 'service_date', 'booking_date', 'benefit_code', 'sessions',
    'amount_eur',
] %}
with

raw_lines as {{ cte_hint('inline') }} (
    select * from {{ source('raw', 'complementary_refunds') }}
),

typed_rows as {{ cte_hint('inline') }} (
    select
        cast(refund_id as {{ dbt.type_string() }}) as refund_id,
        cast(member_id as {{ dbt.type_string() }}) as member_id,
        cast(service_date as date) as service_date,
        cast(booking_date as date) as booking_date,
        cast(benefit_code as {{ dbt.type_string() }}) as benefit_code,
        cast(sessions as {{ dbt.type_int() }}) as sessions,
        cast(amount_eur as {{ type_amount() }}) as amount_eur
    from raw_lines
),

row_checked as {{ cte_hint('inline') }} (
    select
        *,
        {{ first_broken_row_rule('complementary_refunds', ref('base_known_members')) }} as row_rule
    from typed_rows
),

{{ duplicate_checked_cte(
    'row_checked', key_columns=['refund_id'], row_columns=row_columns,
    key_rule='refund_id_duplicate'
) }}

select
    {{ row_columns | join(',\n    ') }},
    rejection_rule
from duplicate_checked
