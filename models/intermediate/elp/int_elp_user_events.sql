{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ elp_warehouse.elp_slice_delete(elp_warehouse.member_year_care_upstreams(), ref('int_care_events'), elp_warehouse.elp_service_condition()) }}",
    meta={'unit_year_column': 'year'},
) }}
-- Every mental-health care event of the members with at least one ELP service (session or
-- trajectory service, any year): the ELP users' slice of int_care_events (8 % of its rows
-- at scale 1.0). The trajectory and supply models read this slice, so they do not scan the
-- whole event stream for the few members they look at. Incremental by member-year, as
-- int_member_year_care, but a member's status spans years (docs/incremental.md): the pre-hook
-- removes the changed member-years and every row of the changed members who no longer have
-- an ELP service; this model writes the changed member-years of the members who have one,
-- and every year of those who had no row left (they just became ELP users).
{%- set upstreams = elp_warehouse.member_year_care_upstreams() %}
{%- set events = ref('int_care_events') %}
{#- the columns of int_care_events, read by both branches below -#}
{%- set event_columns = [
    'member_id', 'event_date', 'year', 'care_type', 'atc_class', 'elp_function', 'elp_setting',
    'elp_network_type', 'network_id', 'provider_id', 'quantity', 'amount_insurance_eur',
    'source_table',
] %}
{%- set changed = elp_warehouse.changed_units_only(upstreams, events) %}
{%- if changed == 'true' %}
    {%- set changed_members = 'true' %}
    {%- set new_users = '1 = 0' %}
{%- else %}
    {%- set changed_members = 'member_id in (select changed_units.unit_member from ('
        ~ elp_warehouse.units_loaded_since(upstreams, elp_warehouse.loaded_watermark())
        ~ ') as changed_units)' %}
    {%- set new_users = 'member_id in (select elp_users.member_id from elp_users'
        ~ ' where elp_users.member_id not in (select kept.member_id from ' ~ this ~ ' as kept))'
        ~ ' and not (' ~ changed ~ ')' %}
{%- endif %}
with

-- the ELP users among the changed members (every ELP user on a full build), found from the
-- ELP rows alone: the whole rows are then read for these few members only
elp_users as (
    select distinct member_id
    from {{ events }}
    where {{ elp_warehouse.elp_service_condition() }} and {{ changed_members }}
)

-- their changed member-years
select
    {{ event_columns | join(',\n    ') }},
    {{ elp_warehouse.load_timestamp() }} as loaded_at
from {{ events }}
where member_id in (select elp_users.member_id from elp_users) and {{ changed }}

union all

-- the other years of the new ELP users (or of those whose every row changed): no row of theirs
-- is left in the table after the pre-hook; none on a full build
select
    {{ event_columns | join(',\n    ') }},
    {{ elp_warehouse.load_timestamp() }} as loaded_at
from {{ events }}
where {{ new_users }}
