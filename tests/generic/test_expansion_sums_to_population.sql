{% test expansion_sums_to_population(model, expansion_column, population_model, population_column, group_by, count_column=none, tolerance=0.000001) %}
{%- set count_expr = count_column if count_column else '1' %}
with

expanded as (
    select
        {{ group_by | join(', ') }},
        sum({{ count_expr }} * {{ expansion_column }}) as expanded_total
    from {{ model }}
    group by {{ group_by | join(', ') }}
),

population as (
    select
        {{ group_by | join(', ') }},
        sum({{ population_column }}) as population_total
    from {{ population_model }}
    group by {{ group_by | join(', ') }}
)

select
    population.*,
    expanded.expanded_total
from population
left join expanded
    on {% for col in group_by %}population.{{ col }} = expanded.{{ col }}{% if not loop.last %} and {% endif %}{% endfor %}
where
    expanded.expanded_total is null
    or abs(expanded.expanded_total - population.population_total)
    > {{ tolerance }} * population.population_total
{% endtest %}
