-- Valid complementary insurance (AV) refunds; is_psychologist_session flags benefit code 'PSY'
-- (a session with a non-conventioned psychologist); other codes are kept, flagged false.
select
    refund_id,
    member_id,
    service_date,
    benefit_code,
    sessions,
    amount_eur,
    benefit_code = 'PSY' as is_psychologist_session
from {{ ref('base_complementary_refunds') }}
where rejection_rule is null
