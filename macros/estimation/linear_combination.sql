{% macro linear_combination(weight, estimate, standard_error) -%}
    {%- set combined = 'sum(' ~ weight ~ ' * ' ~ estimate ~ ') / sum(' ~ weight ~ ')' -%}
    {%- set combined_se = 'sqrt(sum(' ~ weight ~ ' * ' ~ weight ~ ' * ' ~ standard_error ~ ' * '
        ~ standard_error ~ ')) / sum(' ~ weight ~ ')' -%}
    {{ combined }} as estimate,
    {{ combined_se }} as standard_error,
    greatest({{ combined }} - 1.959964 * {{ combined_se }}, 0) as ci_low,
    least({{ combined }} + 1.959964 * {{ combined_se }}, 1) as ci_high
{%- endmacro %}
