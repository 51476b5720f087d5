{{ config(materialized='table') }}
-- Every mental-health care event of the members with at least one ELP service (session or
-- trajectory service, any year): the ELP users' slice of int_care_events (8 % of its rows
-- at scale 1.0). The trajectory and supply models read this slice, so they do not scan the
-- whole event stream for the few members they look at.
with

elp_users as (
    select distinct member_id
    from {{ ref('int_care_events') }}
    where {{ elp_service_condition() }}
)

select *
from {{ ref('int_care_events') }}
where member_id in (select elp_users.member_id from elp_users)
