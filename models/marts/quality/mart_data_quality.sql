-- Data quality of the raw extract, one row per raw table x rule (list: macro rejection_rules):
-- every contract rule (zero rows when none broke it), an `all_rules` row per table (the gate:
-- 'fail' above var max_rejected_share), `corrections_cancelled` rows (valid lines whose netting
-- group was fully cancelled; not rejections) and two `coverage` rows of claims
-- (int_claims_code_coverage; 'warn' above var max_unclassified_code_share, never 'fail').
{%- set threshold = var('max_rejected_share') | float %}
{%- set coverage_threshold = var('max_unclassified_code_share', 0.001) | float %}
{%- set tables_with_corrections = ['claims', 'pharmacy_dispensings'] %}
{%- set report_rules = [] %}
{%- for table_name in raw_table_names() %}
    {%- for rule in rejection_rules(table_name) %}
        {%- do report_rules.append((table_name, rule.name, 'rejection', loop.index)) %}
    {%- endfor %}
    {%- do report_rules.append((table_name, 'all_rules', 'total', 98)) %}
    {%- if table_name in tables_with_corrections %}
        {%- do report_rules.append((table_name, 'corrections_cancelled', 'information', 99)) %}
    {%- endif %}
{%- endfor %}
with

report_rules as (
    {%- for source, rule, rule_kind, rule_order in report_rules %}
        {{ 'union all' if not loop.first }}
        select
            '{{ source }}' as source,
            '{{ rule }}' as rule,
            '{{ rule_kind }}' as rule_kind,
            {{ 100 * (raw_table_names().index(source) + 1) + rule_order }} as rule_order
    {%- endfor %}
),

rule_counts as (
    {%- for table_name in raw_table_names() %}
        {{ 'union all' if not loop.first }}
        select
            '{{ table_name }}' as source,
            rejection_rule as rule,
            count(*) as row_count,
            {{ 'sum(case when in_cancelled_group then 1 else 0 end)'
                if table_name in tables_with_corrections else '0' }} as cancelled_rows
        from {{ ref('base_' ~ table_name) }}
        group by rejection_rule
    {%- endfor %}
),

source_totals as (
    select
        source,
        sum(row_count) as rows_read,
        sum(case when rule is not null then row_count else 0 end) as rows_rejected,
        sum(cancelled_rows) as rows_cancelled
    from rule_counts
    group by source
),

rejected_counts as (
    select
        source,
        rule,
        row_count
    from rule_counts
    where rule is not null
),

listed_rows as (
    select
        report_rules.source,
        report_rules.rule,
        report_rules.rule_kind,
        report_rules.rule_order,
        case report_rules.rule_kind
            when 'rejection' then coalesce(rejected_counts.row_count, 0)
            when 'total' then coalesce(source_totals.rows_rejected, 0)
            else coalesce(source_totals.rows_cancelled, 0)
        end as rows_rejected
    from report_rules
    left join rejected_counts
        on
            report_rules.source = rejected_counts.source
            and report_rules.rule = rejected_counts.rule
    left join source_totals
        on report_rules.source = source_totals.source
),

-- a rule found in the data but missing from the list (a bug): reported, never hidden
unlisted_rows as (
    select
        rejected_counts.source,
        rejected_counts.rule,
        'rejection' as rule_kind,
        99999 as rule_order,
        rejected_counts.row_count as rows_rejected
    from rejected_counts
    left join report_rules
        on
            rejected_counts.source = report_rules.source
            and rejected_counts.rule = report_rules.rule
    where report_rules.rule is null
),

report_rows as (
    select * from listed_rows
    union all
    select * from unlisted_rows
),

shares as (
    select
        report_rows.*,
        coalesce(source_totals.rows_read, 0) as rows_read,
        case
            when coalesce(source_totals.rows_read, 0) = 0 then 0.0
            else report_rows.rows_rejected * 1.0 / source_totals.rows_read
        end as rejected_share
    from report_rows
    left join source_totals
        on report_rows.source = source_totals.source
    union all
    select * from {{ ref('int_claims_code_coverage') }}
),

thresholds as (
    select
        *,
        case rule_kind
            when 'information' then null
            when 'coverage' then {{ coverage_threshold }}
            else {{ threshold }}
        end as threshold
    from shares
)

select
    cast(source as {{ dbt.type_string() }}) as source,
    cast(rule as {{ dbt.type_string() }}) as rule,
    cast(rule_kind as {{ dbt.type_string() }}) as rule_kind,
    cast(rule_order as {{ dbt.type_int() }}) as rule_order,
    cast(rows_read as {{ dbt.type_bigint() }}) as rows_read,
    cast(rows_rejected as {{ dbt.type_bigint() }}) as rows_rejected,
    cast(rejected_share as {{ type_double() }}) as rejected_share,
    cast(threshold as {{ type_double() }}) as threshold,
    cast(
        case
            when threshold is null or rejected_share <= threshold then 'pass'
            when rule_kind = 'coverage' then 'warn'
            else 'fail'
        end as {{ dbt.type_string() }}
    ) as status
from thresholds
