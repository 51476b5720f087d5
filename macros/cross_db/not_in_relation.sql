{#- True when `column` (a string column, never null where the test runs) is not among
    `relation_column` of `relation`. DuckDB plans NOT IN as a hash anti join. Spark plans a NOT
    IN inside a CASE as a nested loop over every pair of rows whenever a side may be null
    (its three-valued NOT IN; at scale 0.02, 476 k claim lines against 0.4 M members did not
    finish in 6 minutes), filtering or coalescing the nulls away does not change that plan, so
    Spark gets a correlated NOT EXISTS, which it plans as a hash join. Equal results: the
    value is never null where the test runs and the relation's column has no null. The
    relation's column is renamed inside the subquery so that the unqualified `column` can
    only name the outer row's column. -#}
{% macro not_in_relation(column, relation, relation_column, alias) -%}
    {{ return(adapter.dispatch('not_in_relation', 'elp_warehouse')(column, relation, relation_column, alias)) }}
{%- endmacro %}

{% macro default__not_in_relation(column, relation, relation_column, alias) -%}
    {{ column }} not in (select {{ alias }}.{{ relation_column }} from {{ relation }} as {{ alias }})
{%- endmacro %}

{% macro spark__not_in_relation(column, relation, relation_column, alias) -%}
    not exists (
        select 1
        from (select {{ relation_column }} as not_in_relation_value from {{ relation }}) as {{ alias }}
        where {{ alias }}.not_in_relation_value = {{ column }}
    )
{%- endmacro %}
