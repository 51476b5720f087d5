{% test not_more_than(model, column, bound, tolerance=0.000001) %}
select {{ column }}, {{ bound }}
from {{ model }}
where {{ column }} > {{ bound }} * (1 + {{ tolerance }})
{% endtest %}
