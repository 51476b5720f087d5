{#- CTE `duplicate_checked` over `relation` (which has `row_rule` = first broken row rule):
    adds `rejection_rule`. Among rows that passed the row rules, rows sharing `key_columns`:
      - all identical on `row_columns`: the same row delivered more than once; the first copy
        is kept, the others get 'exact_duplicate_row';
      - differing: the key cannot be arbitrated, every row of the key gets `key_rule`.
    With key_rule none (no key in the contract), only exact copies are detected. -#}
{% macro duplicate_checked_cte(relation, key_columns, row_columns, key_rule=none) -%}
{%- set key = (key_columns or row_columns) | join(', ') -%}
{%- set full_row = row_columns | join(', ') -%}
duplicate_counted as (
    select
        *,
        sum(case when row_rule is null then 1 else 0 end)
            over (partition by {{ key }}) as valid_rows_with_key,
        sum(case when row_rule is null then 1 else 0 end)
            over (partition by {{ full_row }}) as valid_identical_rows,
        row_number()
            over (partition by {{ full_row }}, row_rule order by {{ key }}) as copy_number
    from {{ relation }}
),

duplicate_checked as (
    select
        *,
        case
            when row_rule is not null then row_rule
            {%- if key_rule is not none %}
            when valid_rows_with_key > valid_identical_rows then '{{ key_rule }}'
            {%- endif %}
            when copy_number > 1 then 'exact_duplicate_row'
        end as rejection_rule
    from duplicate_counted
)
{%- endmacro %}
