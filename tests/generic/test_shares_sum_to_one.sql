{% test shares_sum_to_one(model, group_by, share_column, where=none, tolerance=0.000001) %}
select
    {{ group_by | join(', ') }},
    sum({{ share_column }}) as share_total
from {{ model }}
where {{ share_column }} is not null
{%- if where %} and ({{ where }}){% endif %}
group by {{ group_by | join(', ') }}
having abs(sum({{ share_column }}) - 1) > {{ tolerance }}
{% endtest %}
