-- Dispensing lines that pass every contract rule (base_pharmacy_dispensings quarantines the
-- others), with the netting marks of the base model's one pass. One row per line: the
-- corrections are netted in int_pharmacy_dispensings_netted.
select
    dispensing_id,
    member_id,
    dispensing_date,
    atc_code,
    pharmacy_type,
    ddd,
    amount_insurance_eur,
    in_cancelled_group,
    in_repeated_group
from {{ ref('base_pharmacy_dispensings') }}
where rejection_rule is null
