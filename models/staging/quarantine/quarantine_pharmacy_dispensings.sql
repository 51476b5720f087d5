-- Rejected dispensing lines with the first contract rule each broke.
select
    rejection_rule,
    dispensing_id,
    {{ redacted_member_id() }} as member_id,
    dispensing_date,
    booking_date,
    atc_code,
    ddd,
    pharmacy_type,
    amount_insurance_eur
from {{ ref('base_pharmacy_dispensings') }}
where rejection_rule is not null
