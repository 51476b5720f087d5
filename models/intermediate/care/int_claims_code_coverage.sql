-- The two `coverage` rows of mart_data_quality: claims lines whose nomenclature code seed
-- nomenclature_codes does not classify, and their share of the amounts. Counted over every line
-- read, whatever rule it breaks first: the rejection row nomenclature_code_unknown counts only
-- the lines that rule rejects first, and no rejection row weighs amounts. The match is exact (a
-- padded, zero-prefixed or non-ASCII-digit variant of a known code is unclassified): guessing
-- could give a line another code's meaning. Amounts are gross (|insurance| + |personal share|)
-- so that a correction line weighs as much as the line it cancels.
{%- set rule_order = 100 * (raw_table_names().index('claims') + 1) %}
with

known_codes as (
    select distinct cast(nomenclature_code as {{ dbt.type_string() }}) as nomenclature_code
    from {{ ref('nomenclature_codes') }}
),

lines as (
    select
        known_codes.nomenclature_code is null as is_unclassified,
        abs(coalesce(claims.amount_insurance_eur, 0))
        + abs(coalesce(claims.amount_patient_eur, 0)) as gross_amount_eur
    from {{ ref('base_claims') }} as claims
    left join known_codes
        on claims.nomenclature_code = known_codes.nomenclature_code
),

totals as (
    select
        count(*) as lines_read,
        coalesce(sum(case when is_unclassified then 1 else 0 end), 0) as lines_unclassified,
        coalesce(sum(gross_amount_eur), 0) as amount_read_eur,
        coalesce(sum(case when is_unclassified then gross_amount_eur else 0 end), 0)
            as amount_unclassified_eur
    from lines
),

coverage_rows as (
    select
        'nomenclature_code_unclassified_lines' as rule,
        {{ rule_order + 96 }} as rule_order,
        lines_read,
        lines_unclassified,
        case when lines_read = 0 then 0.0 else lines_unclassified * 1.0 / lines_read end as share
    from totals
    union all
    select
        'nomenclature_code_unclassified_amount' as rule,
        {{ rule_order + 97 }} as rule_order,
        lines_read,
        lines_unclassified,
        case
            when amount_read_eur = 0 then 0.0
            else cast(amount_unclassified_eur as {{ type_double() }}) / amount_read_eur
        end as share
    from totals
)

-- columns in the order of mart_data_quality's `shares`, which appends these rows
select
    cast('claims' as {{ dbt.type_string() }}) as source,
    cast(rule as {{ dbt.type_string() }}) as rule,
    cast('coverage' as {{ dbt.type_string() }}) as rule_kind,
    cast(rule_order as {{ dbt.type_int() }}) as rule_order,
    cast(lines_unclassified as {{ dbt.type_bigint() }}) as rows_rejected,
    cast(lines_read as {{ dbt.type_bigint() }}) as rows_read,
    cast(share as {{ type_double() }}) as rejected_share
from coverage_rows
