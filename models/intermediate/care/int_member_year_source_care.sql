{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ elp_warehouse.source_partials_delete() }}",
) }}
-- The care measures of each member, year and source (claims, dispensings, refunds): partial
-- aggregates that int_member_year_care combines per member and year. Incremental as
-- int_care_events, per member AND source: a night rewrites the (member, source) pairs that
-- int_care_events rewrote, read from its rows loaded since this model's last load (zone maps on
-- loaded_at), so a member changed in one source is not re-aggregated from their whole history.
-- The pre-hook reads int_care_events' upstreams (macro care_event_upstreams):
-- depends_on: {{ ref('stg_claims') }} {{ ref('base_claims') }}
-- depends_on: {{ ref('stg_pharmacy_dispensings') }} {{ ref('base_pharmacy_dispensings') }}
-- depends_on: {{ ref('stg_complementary_refunds') }} {{ ref('base_complementary_refunds') }}
{%- set measures = [] %}
{%- for name, aggregate, expression in elp_warehouse.member_year_care_measures() %}
    {%- do measures.append(aggregate ~ '(' ~ expression ~ ') as ' ~ name) %}
{%- endfor %}
select
    member_id,
    year,
    source_table,
    {{ measures | join(',\n    ') }},
    {{ elp_warehouse.load_timestamp() }} as loaded_at
from {{ ref('int_care_events') }}
where {{ elp_warehouse.rows_loaded_since_only([ref('int_care_events')]) }}
group by member_id, year, source_table
