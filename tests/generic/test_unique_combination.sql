{% test unique_combination(model, columns) %}
    {%- set key = columns | join(', ') %}
    select
        {{ key }},
        count(*) as n_rows
    from {{ model }}
    group by {{ key }}
    having count(*) > 1
{% endtest %}
