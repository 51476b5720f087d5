-- Data quality of the raw extract, one row per raw table x rule: every known contract rule (zero
-- rows when none broke it), an `all_rules` row per table (the build gate: status 'fail' when its
-- rejected share passes var max_rejected_share), and informational `corrections_cancelled` rows
-- (valid lines of claims / dispensings whose netting group was fully cancelled; not rejections).
{%- set threshold = var('max_rejected_share') | float %}
with

{% for table_name in elp_warehouse.raw_table_names() -%}
{{ table_name }}_counts as (
    select
        '{{ table_name }}' as source,
        coalesce(rejection_rule, '(valid)') as rule,
        {%- if table_name in ['claims', 'pharmacy_dispensings'] %}
        sum(case when in_cancelled_group then 1 else 0 end) as cancelled_rows,
        {%- else %}
        0 as cancelled_rows,
        {%- endif %}
        count(*) as row_count
    from {{ ref('base_' ~ table_name) }}
    group by coalesce(rejection_rule, '(valid)')
),

{% endfor -%}
rule_counts as (
    {%- for table_name in elp_warehouse.raw_table_names() %}
    select * from {{ table_name }}_counts
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

known_rules as (
    {%- for table_name in elp_warehouse.raw_table_names() %}
    {%- set table_loop = loop %}
    {%- for rule in elp_warehouse.rejection_rules(table_name) %}
    select
        '{{ table_name }}' as source,
        '{{ rule.name }}' as rule,
        {{ table_loop.index * 100 + loop.index }} as rule_order
    {%- if not (table_loop.last and loop.last) %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- endfor %}
),

source_totals as (
    select
        source,
        sum(row_count) as rows_read,
        sum(case when rule <> '(valid)' then row_count else 0 end) as rows_rejected,
        sum(cancelled_rows) as rows_cancelled
    from rule_counts
    group by source
),

sources as (
    {%- for table_name in elp_warehouse.raw_table_names() %}
    select
        '{{ table_name }}' as source,
        {{ loop.index * 100 }} as rule_order
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

-- every known rule, plus any rule found in the data that the list does not know (none expected)
rule_rows as (
    select
        coalesce(known_rules.source, observed_rules.source) as source,
        coalesce(known_rules.rule, observed_rules.rule) as rule,
        'rejection' as rule_kind,
        coalesce(known_rules.rule_order, 99999) as rule_order,
        coalesce(observed_rules.row_count, 0) as rows_rejected
    from known_rules
    full outer join (
        select * from rule_counts where rule <> '(valid)'
    ) as observed_rules
        on
            known_rules.source = observed_rules.source
            and known_rules.rule = observed_rules.rule
),

all_rule_rows as (
    select
        sources.source,
        'all_rules' as rule,
        'total' as rule_kind,
        sources.rule_order + 98 as rule_order,
        coalesce(source_totals.rows_rejected, 0) as rows_rejected
    from sources
    left join source_totals
        on sources.source = source_totals.source
),

cancelled_rows as (
    select
        sources.source,
        'corrections_cancelled' as rule,
        'information' as rule_kind,
        sources.rule_order + 99 as rule_order,
        coalesce(source_totals.rows_cancelled, 0) as rows_rejected
    from sources
    left join source_totals
        on sources.source = source_totals.source
    where sources.source in ('claims', 'pharmacy_dispensings')
),

report_rows as (
    select * from rule_rows
    union all
    select * from all_rule_rows
    union all
    select * from cancelled_rows
)

select
    cast(report_rows.source as {{ dbt.type_string() }}) as source,
    cast(report_rows.rule as {{ dbt.type_string() }}) as rule,
    cast(report_rows.rule_kind as {{ dbt.type_string() }}) as rule_kind,
    cast(report_rows.rule_order as {{ dbt.type_int() }}) as rule_order,
    cast(coalesce(source_totals.rows_read, 0) as {{ dbt.type_bigint() }}) as rows_read,
    cast(report_rows.rows_rejected as {{ dbt.type_bigint() }}) as rows_rejected,
    cast(
        case
            when coalesce(source_totals.rows_read, 0) = 0 then 0
            else report_rows.rows_rejected * 1.0 / source_totals.rows_read
        end as {{ elp_warehouse.type_double() }}
    ) as rejected_share,
    cast(
        case when report_rows.rule_kind = 'information' then null else {{ threshold }} end
        as {{ elp_warehouse.type_double() }}
    ) as threshold,
    cast(
        case
            when report_rows.rule_kind = 'information' then 'pass'
            when
                coalesce(source_totals.rows_read, 0) > 0
                and report_rows.rows_rejected * 1.0 / source_totals.rows_read > {{ threshold }}
                then 'fail'
            else 'pass'
        end as {{ dbt.type_string() }}
    ) as status
from report_rows
left join source_totals
    on report_rows.source = source_totals.source
