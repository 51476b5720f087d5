-- Rejected affiliation spells with the first contract rule each broke.
select
    rejection_rule,
    {{ redacted_identifier('member_id') }} as member_id,
    start_date,
    end_date
from {{ ref('base_affiliation_periods') }}
where rejection_rule is not null
