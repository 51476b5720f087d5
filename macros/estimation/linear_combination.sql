{#-
    A fixed-weight combination of independent estimates, as an aggregate over the rows of a
    group: estimate = sum(w_k * r_k) / sum(w_k), standard_error = sqrt(sum(w_k^2 * se_k^2)) /
    sum(w_k), with a Wald 95 % interval clipped to [0, 1]. Used for direct standardisation
    (w = reference population share of the age-sex stratum) and for the detainee rule
    (w = prison population of each sex).
-#}
{% macro linear_combination(weight, estimate, standard_error) -%}
    sum({{ weight }} * {{ estimate }}) / sum({{ weight }}) as estimate,
    sqrt(sum({{ weight }} * {{ weight }} * {{ standard_error }} * {{ standard_error }}))
    / sum({{ weight }}) as standard_error,
    greatest(
        sum({{ weight }} * {{ estimate }}) / sum({{ weight }})
        - 1.959964 * sqrt(sum({{ weight }} * {{ weight }} * {{ standard_error }} * {{ standard_error }}))
        / sum({{ weight }}),
        0
    ) as ci_low,
    least(
        sum({{ weight }} * {{ estimate }}) / sum({{ weight }})
        + 1.959964 * sqrt(sum({{ weight }} * {{ weight }} * {{ standard_error }} * {{ standard_error }}))
        / sum({{ weight }}),
        1
    ) as ci_high
{%- endmacro %}
