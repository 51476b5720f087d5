-- Rejected dispensing lines with the first contract rule each broke.
select
    rejection_rule,
    {{ redacted_identifier('dispensing_id') }} as dispensing_id,
    {{ redacted_identifier('member_id') }} as member_id,
    dispensing_date,
    booking_date,
    atc_code,
    ddd,
    pharmacy_type,
    amount_insurance_eur
from {{ ref('base_pharmacy_dispensings') }}
where rejection_rule is not null
