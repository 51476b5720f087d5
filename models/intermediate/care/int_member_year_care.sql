{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ elp_warehouse.changed_members_delete(elp_warehouse.member_year_care_partial_upstreams()) }}",
) }}
-- Care flags per member and calendar year: the per-source partials of
-- int_member_year_source_care combined (a max of maxima, a sum of sums; the measures are
-- defined once, in macro member_year_care_measures). Incremental by member: the members with a
-- partial written since this model's last load, or with a base line loaded since (a member
-- whose events all vanished), are aggregated again from their partials, which are a fraction of
-- their events.
{%- set measures = [] %}
{%- for name, aggregate, expression in elp_warehouse.member_year_care_measures() %}
    {%- do measures.append(aggregate ~ '(' ~ name ~ ') as ' ~ name) %}
{%- endfor %}
select
    member_id,
    year,
    {{ measures | join(',\n    ') }},
    {{ elp_warehouse.load_timestamp() }} as loaded_at
from {{ ref('int_member_year_source_care') }}
where {{ elp_warehouse.changed_members_only(elp_warehouse.member_year_care_partial_upstreams()) }}
group by member_id, year
