{#- Generic data test: the combination of `columns` identifies a row (a multi-column grain).
    Fails with one row per duplicated key combination. Written in-house because the project
    uses no dbt packages (dbt_utils.unique_combination_of_columns is the usual equivalent). -#}
{% test unique_combination(model, columns) %}
    {%- set key = columns | join(', ') %}
    select
        {{ key }},
        count(*) as n_rows
    from {{ model }}
    group by {{ key }}
    having count(*) > 1
{% endtest %}
