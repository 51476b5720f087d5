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
    {{ 'union all' if not loop.first }}
    select
        '{{ source }}' as source,
        '{{ rule }}' as rule,
        '{{ rule_kind }}' as rule_kind,
        {{ rule_order }} as rule_order
    {%- endfor %}
{%- endmacro %}

{% macro data_quality_rule_counts() -%}
    {%- for table_name in elp_warehouse.raw_table_names() %}
    {{ 'union all' if not loop.first }}
    select
        '{{ table_name }}' as source,
        rejection_rule as rule,
        count(*) as row_count,
        {{ 'sum(case when in_cancelled_group then 1 else 0 end)'
            if table_name in elp_warehouse.raw_tables_with_corrections() else '0' }} as cancelled_rows
    from {{ ref('base_' ~ table_name) }}
    group by rejection_rule
    {%- endfor %}
{%- endmacro %}

{% macro raw_tables_with_corrections() %}
    {{ return(['claims', 'pharmacy_dispensings']) }}
{% endmacro %}
