{% macro duplicate_checked_cte(relation, key_columns, row_columns, key_rule=none, hashed_relation=none) -%}
{%- set key = key_columns | join(', ') -%}
rows_hashed as {{ cte_hint('inline') }} (
    select
        *,
        {{ row_hash(row_columns) }} as row_hash,
        {{ row_hash(key_columns) }} as key_hash
    from {{ relation }}
),

-- a first pass on a 64-bit hash of the key, over every row: it reads the key columns only
-- (no row rule is evaluated) and yields a superset of the keys repeated among valid rows,
-- which the next CTE narrows exactly
repeated_key_hashes as {{ cte_hint('materialize') }} (
    select {{ row_hash(key_columns) }} as key_hash
    from {{ hashed_relation or relation }}
    group by {{ row_hash(key_columns) }}
    having count(*) > 1
),

duplicated_keys as {{ cte_hint('materialize') }} (
    select
        {{ key }},
        count(distinct row_hash) as key_versions
    from rows_hashed
    where
        row_rule is null
        and key_hash in (select repeated_key_hashes.key_hash from repeated_key_hashes)
    group by {{ key }}
    having count(*) > 1
),

rows_with_key_versions as {{ cte_hint('inline') }} (
    select
        rows_hashed.*,
        duplicated_keys.key_versions
    from rows_hashed
    left join duplicated_keys
        on
            rows_hashed.row_rule is null
            {%- for column in key_columns %}
            and rows_hashed.{{ column }} = duplicated_keys.{{ column }}
            {%- endfor %}
),

duplicate_checked as {{ cte_hint('inline') }} (
    select
        *,
        row_rule as rejection_rule
    from rows_with_key_versions
    where key_versions is null

    union all

    select
        *,
        case
            {%- if key_rule is not none %}
            when key_versions > 1 then '{{ key_rule }}'
            {%- endif %}
            when row_number() over (
                partition by {{ key }}, row_hash order by row_hash
            ) > 1 then 'exact_duplicate_row'
        end as rejection_rule
    from rows_with_key_versions
    where key_versions is not null
)
{%- endmacro %}
