-- Rejected claim lines with the first contract rule each broke.
select
    rejection_rule,
    {{ redacted_identifier('claim_id') }} as claim_id,
    {{ redacted_identifier('member_id') }} as member_id,
    {{ redacted_identifier('provider_id') }} as provider_id,
    service_date,
    booking_date,
    nomenclature_code,
    quantity,
    amount_insurance_eur,
    amount_patient_eur,
    network_id
from {{ ref('base_claims') }}
where rejection_rule is not null
