{{ config(materialized='view') }}
-- One row per claims netting group (member, provider, nomenclature code, service date):
-- a service and its corrections netted, quantities and amounts summed. Groups netting to
-- quantity <= 0 were cancelled by corrections and are absent (counted as
-- corrections_cancelled in mart_data_quality). The group keeps the claim_id and network of its
-- earliest positive line. A view: only the groups base_claims marks as repeated are aggregated;
-- the others (98 % of the groups at national scale) pass through as they are.
{%- set netting_group = claims_netting_group() %}
with

valid_lines as {{ cte_hint('inline') }} (
    select * from {{ ref('stg_claims') }}
    where not in_cancelled_group
),

single_lines as {{ cte_hint('inline') }} (
    select * from valid_lines
    where not in_repeated_group
),

repeated_lines as {{ cte_hint('inline') }} (
    select * from valid_lines
    where in_repeated_group
),

earliest_positive_lines as (
    select
        claim_id,
        member_id,
        provider_id,
        nomenclature_code,
        service_date,
        network_id,
        row_number() over (
            partition by {{ netting_group | join(', ') }}
            order by booking_date, claim_id
        ) as line_order
    from repeated_lines
    where quantity > 0
),

netted_claims as (
    select
        member_id,
        provider_id,
        nomenclature_code,
        service_date,
        min(booking_date) as first_booking_date,
        sum(quantity) as quantity,
        sum(amount_insurance_eur) as amount_insurance_eur,
        sum(amount_patient_eur) as amount_patient_eur
    from repeated_lines
    group by {{ netting_group | join(', ') }}
),

netted_lines as (
    select
        claim_id,
        member_id,
        provider_id,
        service_date,
        booking_date as first_booking_date,
        nomenclature_code,
        quantity,
        amount_insurance_eur,
        amount_patient_eur,
        network_id
    from single_lines
    -- a lone valid line is positive (zero is refused, a lone correction is unmatched): the
    -- condition keeps the netting's rule for it all the same
    where quantity > 0

    union all

    select
        earliest_positive_lines.claim_id,
        netted_claims.member_id,
        netted_claims.provider_id,
        netted_claims.service_date,
        netted_claims.first_booking_date,
        netted_claims.nomenclature_code,
        netted_claims.quantity,
        netted_claims.amount_insurance_eur,
        netted_claims.amount_patient_eur,
        earliest_positive_lines.network_id
    from netted_claims
    inner join earliest_positive_lines
        on
            netted_claims.member_id = earliest_positive_lines.member_id
            -- an institution's lines have no provider and are one group all the same
            and netted_claims.provider_id is not distinct from earliest_positive_lines.provider_id
            and netted_claims.nomenclature_code = earliest_positive_lines.nomenclature_code
            and netted_claims.service_date = earliest_positive_lines.service_date
            and earliest_positive_lines.line_order = 1
),

nomenclature_codes as (
    select
        cast(nomenclature_code as {{ dbt.type_string() }}) as nomenclature_code,
        cast(care_type as {{ dbt.type_string() }}) as care_type,
        cast(elp_function as {{ dbt.type_string() }}) as elp_function,
        cast(elp_setting as {{ dbt.type_string() }}) as elp_setting,
        cast(elp_network_type as {{ dbt.type_string() }}) as elp_network_type,
        cast(counts_as_session as {{ dbt.type_boolean() }}) as counts_as_session
    from {{ ref('nomenclature_codes') }}
)

select
    netted_lines.claim_id,
    netted_lines.member_id,
    netted_lines.provider_id,
    netted_lines.service_date,
    netted_lines.first_booking_date,
    netted_lines.nomenclature_code,
    netted_lines.quantity,
    netted_lines.amount_insurance_eur,
    netted_lines.amount_patient_eur,
    netted_lines.network_id,
    nomenclature_codes.care_type,
    nomenclature_codes.elp_function,
    nomenclature_codes.elp_setting,
    nomenclature_codes.elp_network_type,
    nomenclature_codes.counts_as_session
from netted_lines
left join nomenclature_codes
    on netted_lines.nomenclature_code = nomenclature_codes.nomenclature_code
