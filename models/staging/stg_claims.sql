-- Claim lines that pass every contract rule (base_claims quarantines the others), with the
-- netting marks base_claims computed in its one pass over the raw table. One row per line:
-- the corrections are netted in int_claims_netted.
select
    claim_id,
    member_id,
    provider_id,
    service_date,
    booking_date,
    nomenclature_code,
    quantity,
    amount_insurance_eur,
    amount_patient_eur,
    network_id,
    in_cancelled_group,
    in_repeated_group
from {{ ref('base_claims') }}
where rejection_rule is null
