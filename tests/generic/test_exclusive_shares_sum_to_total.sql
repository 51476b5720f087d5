{% test exclusive_shares_sum_to_total(model, group_by, share_column, total_category, tolerance=0.000001) %}
with

parts as (
    select {{ group_by | join(', ') }}, sum({{ share_column }}) as parts_total
    from {{ model }}
    where is_exclusive
    group by {{ group_by | join(', ') }}
),

totals as (
    select {{ group_by | join(', ') }}, {{ share_column }} as total
    from {{ model }}
    where
    {%- for classification, category in total_category.items() %}
        {% if not loop.first %}or {% endif %}(classification = '{{ classification }}' and category = '{{ category }}')
    {%- endfor %}
)

select parts.*, totals.total
from parts
left join totals
    on {% for col in group_by %}parts.{{ col }} = totals.{{ col }}{% if not loop.last %} and {% endif %}{% endfor %}
where totals.total is null or abs(parts.parts_total - totals.total) > {{ tolerance }}
{% endtest %}
