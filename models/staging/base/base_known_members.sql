{{ config(materialized='table') }}
-- The members with at least one valid member-year, once: base_affiliation_periods, base_claims,
-- base_pharmacy_dispensings and base_complementary_refunds quarantine a row of any other member
-- (rule member_not_in_members_yearly), which would otherwise vanish in the joins on members.
select distinct member_id
from {{ ref('base_members_yearly') }}
where rejection_rule is null
