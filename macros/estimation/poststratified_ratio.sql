{% macro poststratified_ratio(relation, group_cols, y, x, stratum='weighting_group', stratum_population='group_population', stratum_members='group_members', bounded=true, unit_count=none) -%}
{%- set k = unit_count if unit_count else '1' -%}
{%- set groups = group_cols | join(', ') -%}
{%- set float = type_double() -%}
with

ps_strata as (
    select
        {{ groups }},
        {{ stratum }} as stratum,
        max(cast({{ stratum_population }} as {{ float }})) as stratum_population,
        max(cast({{ stratum_members }} as {{ float }})) as stratum_members,
        sum(case when {{ x }} > 0 then {{ k }} else 0 end) as units_observed,
        sum(case when {{ x }} > 0 and {{ y }} > 0 then {{ k }} else 0 end) as y_units_observed,
        sum({{ k }} * cast({{ y }} as {{ float }})) as sum_y,
        sum({{ k }} * cast({{ x }} as {{ float }})) as sum_x,
        sum({{ k }} * cast({{ y }} as {{ float }}) * {{ y }}) as sum_yy,
        sum({{ k }} * cast({{ x }} as {{ float }}) * {{ x }}) as sum_xx,
        sum({{ k }} * cast({{ x }} as {{ float }}) * {{ y }}) as sum_xy
    from {{ relation }}
    group by {{ groups }}, {{ stratum }}
),

{{ poststratified_ratio_ctes('ps_strata', group_cols, bounded) }}
{%- endmacro %}

{% macro poststratified_ratio_from_strata(strata, group_cols, bounded=true) -%}
with

{{ poststratified_ratio_ctes(strata, group_cols, bounded) }}
{%- endmacro %}

{% macro poststratified_ratio_ctes(strata, group_cols, bounded) -%}
{%- set groups = group_cols | join(', ') -%}
ps_totals as (
    select
        {{ groups }},
        sum(units_observed) as units_observed,
        sum(y_units_observed) as y_units_observed,
        sum(stratum_population * sum_y / stratum_members) as y_total,
        sum(stratum_population * sum_x / stratum_members) as x_total
    from {{ strata }}
    group by {{ groups }}
),

ps_ratio as (
    select
        ps_totals.*,
        case when x_total > 0 then y_total / x_total end as estimate
    from ps_totals
),

ps_variance as (
    select
        {% for col in group_cols %}ps_strata.{{ col }},{% endfor %}
        sum(
            case
                when ps_strata.stratum_members > 1
                    then
                        ps_strata.stratum_population * ps_strata.stratum_population
                        * greatest(1 - ps_strata.stratum_members / ps_strata.stratum_population, 0)
                        / ps_strata.stratum_members
                        * greatest(
                            (
                                ps_strata.sum_yy
                                - 2 * ps_ratio.estimate * ps_strata.sum_xy
                                + ps_ratio.estimate * ps_ratio.estimate * ps_strata.sum_xx
                            )
                            - (ps_strata.sum_y - ps_ratio.estimate * ps_strata.sum_x)
                            * (ps_strata.sum_y - ps_ratio.estimate * ps_strata.sum_x)
                            / ps_strata.stratum_members,
                            0
                        )
                        / (ps_strata.stratum_members - 1)
                else 0
            end
        ) as variance_numerator
    from {{ strata }} as ps_strata
    inner join ps_ratio
        on {% for col in group_cols %}ps_strata.{{ col }} = ps_ratio.{{ col }}{% if not loop.last %} and {% endif %}{% endfor %}
    group by {% for col in group_cols %}ps_strata.{{ col }}{% if not loop.last %}, {% endif %}{% endfor %}
),

ps_estimates as (
    select
        ps_ratio.*,
        case
            when ps_ratio.x_total > 0
                then sqrt(ps_variance.variance_numerator) / ps_ratio.x_total
        end as standard_error
    from ps_ratio
    inner join ps_variance
        on {% for col in group_cols %}ps_ratio.{{ col }} = ps_variance.{{ col }}{% if not loop.last %} and {% endif %}{% endfor %}
)

select
    ps_estimates.*,
    {% if bounded -%}
    case
        when estimate > 0 and estimate < 1
            then 1 / (1 + exp(-(ln(estimate / (1 - estimate)) - 1.959964 * standard_error / (estimate * (1 - estimate)))))
        -- no unit with y > 0 observed: the logit is undefined and the linearised variance
        -- is 0, so take the exact (Clopper-Pearson) bound for 0 or n successes out of n
        when estimate = 1 and units_observed > 0 then power(0.025, 1.0 / units_observed)
        else greatest(estimate - 1.959964 * standard_error, 0)
    end as ci_low,
    case
        when estimate > 0 and estimate < 1
            then 1 / (1 + exp(-(ln(estimate / (1 - estimate)) + 1.959964 * standard_error / (estimate * (1 - estimate)))))
        when estimate = 0 and units_observed > 0 then 1 - power(0.025, 1.0 / units_observed)
        else least(estimate + 1.959964 * standard_error, 1)
    end as ci_high
    {%- else -%}
    estimate - 1.959964 * standard_error as ci_low,
    estimate + 1.959964 * standard_error as ci_high
    {%- endif %}
from ps_estimates
{%- endmacro %}
