{#- Weighted member counts must add up exactly (to a relative tolerance) to the population
    they are extrapolated to, per group (e.g. per year). Fails with one row per group that
    does not. `count_column` = members behind each row (1 for person-level rows).
    With `meta: {test_scope: ...}` (get_where_subquery), the model holds only the groups written
    since the last clean build; the population is then checked for those groups, and for the
    groups the model no longer holds at all (a year deleted and not rebuilt must still fail). -#}
{% test expansion_sums_to_population(model, expansion_column, population_model, population_column, group_by, count_column=none, tolerance=0.000001) %}
{%- set count_expr = count_column if count_column else '1' %}
{%- set whole_model = elp_warehouse.scoped_test_relation(model) %}
with
{%- if whole_model %}

scoped_groups as (
    select distinct {{ group_by | join(', ') }} from {{ model }}
),

whole_groups as (
    select distinct {{ group_by | join(', ') }} from {{ whole_model }}
),
{%- endif %}

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
    from {{ population_model }} as population_rows
    {%- if whole_model %}
    where
        exists (
            select 1 from scoped_groups
            where {% for col in group_by %}scoped_groups.{{ col }} = population_rows.{{ col }}{% if not loop.last %} and {% endif %}{% endfor %}
        )
        or not exists (
            select 1 from whole_groups
            where {% for col in group_by %}whole_groups.{{ col }} = population_rows.{{ col }}{% if not loop.last %} and {% endif %}{% endfor %}
        )
    {%- endif %}
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
