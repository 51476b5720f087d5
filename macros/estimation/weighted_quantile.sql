{% macro weighted_quantile(relation, group_cols, value, weight, probabilities) -%}
{%- set groups = group_cols | join(', ') -%}
{%- set float = type_double() -%}
with

wq_values as (
    select
        {{ groups }},
        cast({{ value }} as {{ float }}) as wq_value,
        sum(cast({{ weight }} as {{ float }})) as wq_weight
    from {{ relation }}
    where {{ value }} is not null and {{ weight }} > 0
    group by {{ groups }}, cast({{ value }} as {{ float }})
),

wq_cumulative as (
    select
        *,
        sum(wq_weight) over (
            partition by {{ groups }} order by wq_value rows between unbounded preceding and current row
        ) as wq_cumulative_weight
    from wq_values
),

wq_steps as (
    select
        *,
        -- the total is the last running sum, so F = 1 exactly on the largest value
        max(wq_cumulative_weight) over (partition by {{ groups }}) as wq_total_weight,
        lag(wq_cumulative_weight) over (partition by {{ groups }} order by wq_value)
            as wq_previous_cumulative_weight,
        lag(wq_value) over (partition by {{ groups }} order by wq_value) as wq_previous_value
    from wq_cumulative
)

select
    {{ groups }}
    {%- for name, p in probabilities.items() %},
    max(
        case
            when
                {{ p }} * wq_total_weight <= wq_cumulative_weight
                and (
                    wq_previous_cumulative_weight is null
                    or {{ p }} * wq_total_weight > wq_previous_cumulative_weight
                )
                then
                    case
                        when wq_previous_cumulative_weight is null then wq_value
                        else
                            wq_previous_value
                            + ({{ p }} * wq_total_weight - wq_previous_cumulative_weight)
                            / (wq_cumulative_weight - wq_previous_cumulative_weight)
                            * (wq_value - wq_previous_value)
                    end
        end
    ) as {{ name }}
    {%- endfor %}
from wq_steps
group by {{ groups }}
{%- endmacro %}
