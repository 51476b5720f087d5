-- Affiliation periods that pass every contract rule (base_affiliation_periods quarantines the
-- others), one row per period as delivered: touching periods are merged into spells in
-- int_affiliation_spells.
select
    member_id,
    start_date,
    end_date
from {{ ref('base_affiliation_periods') }}
where rejection_rule is null
