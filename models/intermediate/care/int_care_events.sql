{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ elp_warehouse.source_units_delete(elp_warehouse.care_event_upstreams()) }}",
    meta={'unit_year_column': 'year'},
) }}
{%- set upstreams = elp_warehouse.care_event_upstreams() %}
-- One typed stream of all reimbursed mental-health care: claims (ELP, psychiatrist, acute,
-- rehabilitation/residential), psychotropic dispensings and complementary-insurance (AV)
-- psychologist refunds. Figure 1/2 categories, prior care and the before/during/after windows
-- are all filters on this stream, so the raw tables are interpreted in exactly one place.
-- Incremental per member-year AND source (macros/incremental/member_increment.sql): a
-- member-year changed in one source has only that source's rows rewritten, read from the
-- staging rows loaded since this model's last load rather than by a join of every staging
-- table.
with

claims as (
    select
        member_id,
        service_date as event_date,
        care_type,
        cast(null as {{ dbt.type_string() }}) as atc_class,
        elp_function,
        elp_setting,
        elp_network_type,
        network_id,
        provider_id,
        quantity,
        amount_insurance_eur,
        'claims' as source_table
    from {{ ref('stg_claims') }}
    where
        care_type <> 'other'
        and {{ elp_warehouse.rows_loaded_since_only(upstreams['claims']) }}
),

dispensings as (
    select
        member_id,
        dispensing_date as event_date,
        'psychotropic' as care_type,
        atc_class,
        cast(null as {{ dbt.type_string() }}) as elp_function,
        cast(null as {{ dbt.type_string() }}) as elp_setting,
        cast(null as {{ dbt.type_string() }}) as elp_network_type,
        cast(null as {{ dbt.type_string() }}) as network_id,
        cast(null as {{ dbt.type_string() }}) as provider_id,
        1 as quantity,
        amount_insurance_eur,
        'pharmacy_dispensings' as source_table
    from {{ ref('stg_pharmacy_dispensings') }}
    where
        atc_class is not null
        and {{ elp_warehouse.rows_loaded_since_only(upstreams['pharmacy_dispensings']) }}
),

refunds as (
    select
        member_id,
        service_date as event_date,
        'av_psychologist' as care_type,
        cast(null as {{ dbt.type_string() }}) as atc_class,
        cast(null as {{ dbt.type_string() }}) as elp_function,
        cast(null as {{ dbt.type_string() }}) as elp_setting,
        cast(null as {{ dbt.type_string() }}) as elp_network_type,
        cast(null as {{ dbt.type_string() }}) as network_id,
        cast(null as {{ dbt.type_string() }}) as provider_id,
        sessions as quantity,
        cast(null as {{ dbt.type_numeric() }}) as amount_insurance_eur,
        'complementary_refunds' as source_table
    from {{ ref('stg_complementary_refunds') }}
    where
        is_psychologist_session
        and {{ elp_warehouse.rows_loaded_since_only(upstreams['complementary_refunds']) }}
),

unioned as (
    select * from claims
    union all
    select * from dispensings
    union all
    select * from refunds
)

select
    member_id,
    event_date,
    cast(extract(year from event_date) as {{ dbt.type_int() }}) as year,
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
from unioned
-- Not sorted: increments find a night's member-years (nearly all in the current year) by the
-- year's zone maps, and the staging tables are written in date order, which the stack keeps
-- closely enough (national scale: 408 of 473 row groups hold one year, 96 reach 2023 or
-- later). An `order by year` sorted 58 M wide rows in the full build: 37-44 s instead of
-- 19-22 s for the statement, and the memory it took made the build fail with DuckDB's "Out of
-- Memory" when the 68 M-row key test of int_member_years ran beside it (reproduced with the
-- two statements alone at the 5 GB limit).
