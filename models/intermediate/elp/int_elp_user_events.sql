{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ elp_warehouse.changed_rows_delete(elp_warehouse.member_year_care_upstreams(), 'member') }}",
) }}
-- Every mental-health care event of the members with at least one ELP service (session or
-- trajectory service, any year): the ELP users' slice of int_care_events (8 % of its rows
-- at scale 1.0). The trajectory and supply models read this slice, so they do not scan the
-- whole event stream for the few members they look at. Incremental by member, as
-- int_member_year_care:
-- a changed member's rows are removed, then written again if the member still has an ELP
-- service (docs/incremental.md).
{%- set upstreams = elp_warehouse.member_year_care_upstreams() %}
with

-- the changed members who have an ELP service, found from the ELP rows alone: the whole rows
-- are then read for these few members only (at scale 1.0, reading every changed member's rows
-- first took twice as long)
elp_users as (
    select distinct member_id
    from {{ ref('int_care_events') }}
    where
        care_type in ('elp_session', 'elp_trajectory_service')
        and {{ elp_warehouse.changed_members_only(upstreams) }}
)

select
    member_id,
    event_date,
    year,
    care_type,
    atc_class,
    elp_function,
    elp_setting,
    elp_network_type,
    network_id,
    provider_id,
    quantity,
    amount_insurance_eur,
    source_table,
    {{ elp_warehouse.load_timestamp() }} as loaded_at
from {{ ref('int_care_events') }}
where member_id in (select elp_users.member_id from elp_users)
