{% macro correction_netting(
    row_columns, netting_columns, measure, hashed_relation, booked_before=none,
    null_safe_columns=[]
) -%}
{%- set netting_group = netting_columns | join(', ') -%}
{%- set row_columns = row_columns + ['in_repeated_group'] -%}
{%- set qualified_columns = [] -%}
{%- for column in netting_columns -%}
    {%- do qualified_columns.append('duplicate_checked.' ~ column) -%}
{%- endfor -%}
corrected_groups as {{ cte_hint('materialize') }} (
    select distinct {{ netting_group }}
    from duplicate_checked
    where rejection_rule is null and {{ measure }} < 0
),

repeated_groups as {{ cte_hint('materialize') }} (
    select {{ row_hash(netting_columns) }} as group_hash
    from {{ hashed_relation }}
    group by {{ row_hash(netting_columns) }}
    having count(*) > 1
),

lines_marked as {{ cte_hint('inline') }} (
    select
        duplicate_checked.*,
        corrected_groups.{{ netting_columns[0] }} is not null as in_corrected_group,
        {{ row_hash(qualified_columns) }}
        in (select repeated_groups.group_hash from repeated_groups) as in_repeated_group
    from duplicate_checked
    left join corrected_groups
        on
            {%- for column in netting_columns %}
            {% if not loop.first %}and {% endif %}duplicate_checked.{{ column }}
            {{- ' is not distinct from ' if column in null_safe_columns else ' = ' -}}
            corrected_groups.{{ column }}
            {%- endfor %}
),

corrected_lines_counted as (
    select
        *,
        sum(case when rejection_rule is null and {{ measure }} > 0 then 1 else 0 end) over (
            partition by {{ netting_group }}
            {%- if booked_before %}
            order by {{ booked_before }}
            range between unbounded preceding and current row
            {%- endif %}
        ) as positive_lines_before
    from lines_marked
    where in_corrected_group
),

corrected_lines_checked as (
    select
        {{ row_columns | join(',\n        ') }},
        case
            when rejection_rule is not null then rejection_rule
            when {{ measure }} < 0 and positive_lines_before = 0 then 'unmatched_correction'
        end as rejection_rule
    from corrected_lines_counted
),

corrected_lines_netted as (
    select
        *,
        sum(case when rejection_rule is null then {{ measure }} else 0 end) over (
            partition by {{ netting_group }}
        ) as group_net_measure
    from corrected_lines_checked
),

-- a group that nets below zero cancels more than its lines ever held: not a cancellation but
-- an inconsistent group, quarantined whole (a tolerance keeps a float sum of ddd that only
-- rounds below zero a cancellation)
corrected_lines_final as (
    select
        {{ row_columns | join(',\n        ') }},
        case
            when rejection_rule is null and group_net_measure < -0.000001
                then 'correction_exceeds_original'
            else rejection_rule
        end as rejection_rule,
        group_net_measure
    from corrected_lines_netted
)

select
    {{ row_columns | join(',\n    ') }},
    rejection_rule,
    false as in_cancelled_group
from lines_marked
where not in_corrected_group

union all

select
    {{ row_columns | join(',\n    ') }},
    rejection_rule,
    rejection_rule is null and group_net_measure <= 0 as in_cancelled_group
from corrected_lines_final
{%- endmacro %}
