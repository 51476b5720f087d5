{#- Building blocks of mart_data_quality, generated from macro rejection_rules so that a new
    rule appears in the report without editing the mart. -#}

{#- One row per report line: (source, rule, rule_kind, rule_order). Per raw table: every
    rejection rule in check order, `all_rules` (kind 'total'), and for the tables with
    corrections `corrections_cancelled` (kind 'information'). -#}
{% macro data_quality_report_rules() -%}
    {%- set report_rows = [] -%}
    {%- for table_name in elp_warehouse.raw_table_names() -%}
        {%- set table_order = loop.index * 100 -%}
        {%- for rule in elp_warehouse.rejection_rules(table_name) -%}
            {%- do report_rows.append((table_name, rule.name, 'rejection', table_order + loop.index)) -%}
        {%- endfor -%}
        {%- do report_rows.append((table_name, 'all_rules', 'total', table_order + 98)) -%}
        {%- if table_name in elp_warehouse.raw_tables_with_corrections() -%}
            {%- do report_rows.append((table_name, 'corrections_cancelled', 'information', table_order + 99)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for source, rule, rule_kind, rule_order in report_rows %}
    select
        '{{ source }}' as source,
        '{{ rule }}' as rule,
        '{{ rule_kind }}' as rule_kind,
        {{ rule_order }} as rule_order
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- Rows per (source, rejection_rule) of every base_ model; rule null = valid row.
    cancelled_rows = valid rows whose netting group was cancelled by corrections. -#}
{% macro data_quality_rule_counts() -%}
    {%- for table_name in elp_warehouse.raw_table_names() %}
    select
        '{{ table_name }}' as source,
        rejection_rule as rule,
        count(*) as row_count,
        {%- if table_name in elp_warehouse.raw_tables_with_corrections() %}
        sum(case when in_cancelled_group then 1 else 0 end) as cancelled_rows
        {%- else %}
        0 as cancelled_rows
        {%- endif %}
    from {{ ref('base_' ~ table_name) }}
    group by rejection_rule
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- Raw tables whose negative lines are corrections netted in staging. -#}
{% macro raw_tables_with_corrections() %}
    {{ return(['claims', 'pharmacy_dispensings']) }}
{% endmacro %}
