-- Rejected complementary insurance refunds with the first contract rule each broke.
select
    rejection_rule,
    {{ redacted_identifier('refund_id') }} as refund_id,
    {{ redacted_identifier('member_id') }} as member_id,
    service_date,
    booking_date,
    benefit_code,
    sessions,
    amount_eur
from {{ ref('base_complementary_refunds') }}
where rejection_rule is not null
