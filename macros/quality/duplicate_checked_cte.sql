{#- CTEs ending in `duplicate_checked` over `relation` (which has `row_rule` = first broken row
    rule): adds `rejection_rule`. Among rows that passed the row rules, rows sharing
    `key_columns`:
      - all identical on `row_columns`: the same row delivered more than once; one copy is
        kept, the others get 'exact_duplicate_row';
      - differing: the key cannot be arbitrated, every row of the key gets `key_rule`
        (with key_rule none, differing rows are left to later rules, e.g. overlapping spells).
    Built for scale: candidate keys are found with an aggregate over a hash of the key, their
    versions with an aggregate over a row hash, and only the rows of those (few) keys are
    numbered with a window. The per-row CTEs are streamed, never copied (cte_hint 'inline');
    the small key results are computed once (cte_hint 'materialize').
    `hashed_relation` (default `relation`): the relation the first pass hashes the keys of,
    the typed rows before any lookup join, so that the pass over every row reads the key
    columns alone (national scale: base_members_yearly's arrondissement join ran a second time
    for it, 4.8 s). -#}
{% macro duplicate_checked_cte(relation, key_columns, row_columns, key_rule=none, hashed_relation=none) -%}
{%- set key = key_columns | join(', ') -%}
rows_hashed as {{ elp_warehouse.cte_hint('inline') }} (
    select
        *,
        {{ elp_warehouse.row_hash(row_columns) }} as row_hash,
        {{ elp_warehouse.row_hash(key_columns) }} as key_hash
    from {{ relation }}
),

-- a first pass on a 64-bit hash of the key, over every row: it reads the key columns only
-- (no row rule is evaluated) and yields a superset of the keys repeated among valid rows,
-- which the next CTE narrows exactly
repeated_key_hashes as {{ elp_warehouse.cte_hint('materialize') }} (
    select {{ elp_warehouse.row_hash(key_columns) }} as key_hash
    from {{ hashed_relation or relation }}
    group by {{ elp_warehouse.row_hash(key_columns) }}
    having count(*) > 1
),

duplicated_keys as {{ elp_warehouse.cte_hint('materialize') }} (
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

rows_with_key_versions as {{ elp_warehouse.cte_hint('inline') }} (
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

duplicate_checked as {{ elp_warehouse.cte_hint('inline') }} (
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
