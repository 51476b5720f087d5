{#-
    Correction handling shared by the raw tables that carry negative correction lines
    (claims, pharmacy_dispensings). Input CTE `lines_marked`: typed lines with
    `rejection_rule` and `in_corrected_group` (the netting group holds a negative line).
    Only corrected groups go through the windows, which keeps large extracts fast.
    - A negative line without a valid positive line in its group is quarantined as
      `unmatched_correction`; with `booked_before`, the positive line must also be booked
      no later than the correction ("cancels an earlier line", contract for claims).
    - `in_cancelled_group`: a valid line whose group nets to <= 0 on `measure`.
    Emits the CTEs after `lines_marked` and the final select.
-#}
{% macro correction_netting(row_columns, netting_group, measure, booked_before=none) -%}
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
from corrected_lines_netted
{%- endmacro %}
