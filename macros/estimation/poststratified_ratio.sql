{#-
    Post-stratified ratio estimate with a linearisation variance, in SQL.

    `relation` holds one row per sampled unit (member-year, patient...) that belongs to the
    domain being estimated, with the unit's stratum (weighting group), the stratum's population
    N_h and sample size n_h (all sampled units of the stratum, in or out of the domain: units
    outside the domain contribute zeros), a numerator value y and a denominator value x.

        R   = Y / X,  Y = sum_h N_h * ybar_h,  X = sum_h N_h * xbar_h
        e_i = y_i - R * x_i                       (linearised residual)
        V(R) = 1 / X^2 * sum_h N_h^2 * (1 - n_h / N_h) * s2_e,h / n_h
        s2_e,h = (sum e^2 - (sum e)^2 / n_h) / (n_h - 1)

    The sums of e and e^2 come from per-stratum sums of y, x, y^2, x^2 and xy, so the relation
    is read once. For a rate (y, x in {0, 1}) over whole strata this is the textbook
    post-stratification variance sum_h W_h^2 (1 - f_h) p_h (1 - p_h) / (n_h - 1).
    `bounded` = true gives a logit-scale interval (rates stay inside [0, 1]); otherwise Wald.
    Output columns: the group columns, units_observed (units with x > 0), y_units_observed
    (units with x > 0 and y > 0, e.g. observed users), y_total, x_total,
    estimate, standard_error, ci_low, ci_high.
-#}
{% macro poststratified_ratio(relation, group_cols, y, x, stratum='weighting_group', stratum_population='group_population', stratum_members='group_members', bounded=true, unit_count=none) -%}
{#- unit_count: column holding how many identical units a row stands for (pre-aggregated input) -#}
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

{{ elp_warehouse.poststratified_ratio_ctes('ps_strata', group_cols, bounded) }}
{%- endmacro %}

{#- The same estimate from per-stratum sums already computed (`strata`: the group columns,
    stratum, stratum_population, stratum_members, units_observed, y_units_observed, sum_y,
    sum_x, sum_yy, sum_xx, sum_xy, as ps_strata above). For a sparse domain, e.g. shares of
    categories where most units have y = 0: the sums over y need only the units with y > 0,
    and the sums over x are per stratum whatever the category. -#}
{% macro poststratified_ratio_from_strata(strata, group_cols, bounded=true) -%}
with

{{ elp_warehouse.poststratified_ratio_ctes(strata, group_cols, bounded) }}
{%- endmacro %}

{#- The CTEs and final select of the estimate, after the per-stratum sums `strata`. -#}
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
