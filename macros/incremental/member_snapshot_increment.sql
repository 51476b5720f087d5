{#- Incremental builds of a raw table that every extract delivers whole and that has no booking
    date (affiliation_periods), by MEMBER (docs/incremental.md). Every rule applied to its rows
    (row rules, exact duplicates, overlapping spells) compares rows of one member only, so a
    member whose rows are unchanged keeps its verdicts, with two exceptions:
      - the extraction date: a rule may compare a row with it (a spell starting after it), and
        an open spell runs to it; the model names the rows whose verdict can change with it
        (`dated_rows`, a condition on its own stored rows), and their members are rebuilt;
      - a member whose rows all vanished from the extract writes no new row, so the post-hook
        could not remove its old ones: the model is then rebuilt whole, with a warning.
    The unit is the member as the base table holds it: never null ('' for a row without
    member, rejected either way). A member's rows are compared by fingerprint (row count and
    hash sum, as for base_members_yearly's years), first over the whole table: a night with
    no change reads the extract once and rebuilds only the dated rows' members. -#}

{#- The member of a row, never null: the unit of change of a member snapshot table. -#}
{% macro snapshot_member(prefix='') -%}
    coalesce({{ prefix }}member_id, '')
{%- endmacro %}

{#- The typed rows of raw table `table_name`: `typed_columns` maps each column name to the SQL
    expression that types it (the base model's only definition of its types). -#}
{% macro snapshot_typed_rows(table_name, typed_columns) -%}
    select
        {{ elp_warehouse.typed_select_list(typed_columns) | indent(8) }}
    from {{ source('raw', table_name) }}
{%- endmacro %}

{#- Plan of a member snapshot model: a dict with `mode`
      full       first build or --full-refresh: every row is read;
      dated      the extract equals the table (same fingerprint): only the members of the
                 dated rows are rebuilt;
      changed    the extract differs: the members whose fingerprint differs are rebuilt too;
      rebuild    a member of the table is gone from the extract: every row is rebuilt.
    Decided once per model at execution time; compile-only runs plan 'full'. -#}
{% macro snapshot_increment_plan(table_name, typed_columns) %}
    {%- if not (execute and is_incremental()) -%}
        {{ return({'mode': 'full'}) }}
    {%- endif -%}
    {%- do elp_warehouse.require_incremental_columns(['loaded_at']) -%}
    {%- set columns = typed_columns.keys() | list -%}
    {%- set parts = elp_warehouse.rows_fingerprint_parts(columns) -%}
    {%- set in_extract = run_query('select ' ~ parts ~ ' from ('
        ~ elp_warehouse.snapshot_typed_rows(table_name, typed_columns) ~ ') as extract_rows') -%}
    {%- set in_table = run_query('select ' ~ parts ~ ' from ' ~ this) -%}
    {%- if in_extract.rows[0] | list == in_table.rows[0] | list -%}
        {{ return({'mode': 'dated'}) }}
    {%- endif -%}
    {%- set vanished = elp_warehouse.scalar_query(
        'select count(*) from (select distinct ' ~ elp_warehouse.snapshot_member() ~ ' as member_key'
        ~ ' from ' ~ this ~ ') as loaded where loaded.member_key not in (select '
        ~ elp_warehouse.snapshot_member() ~ ' from ('
        ~ elp_warehouse.snapshot_typed_rows(table_name, typed_columns) ~ ') as extract_rows)') -%}
    {%- if vanished != 0 -%}
        {{ log("WARNING " ~ this ~ ": " ~ vanished ~ " members have rows in the table but none in"
            ~ " the extract: rows deleted at the source, rebuilding every member", info=true) }}
        {{ return({'mode': 'rebuild'}) }}
    {%- endif -%}
    {{ return({'mode': 'changed'}) }}
{% endmacro %}

{#- The CTEs ending in `raw_rows`, the typed raw rows a member snapshot model reads under `plan`
    (see snapshot_increment_plan): all of them, or the changed members' rows. `dated_rows` is
    the condition on the table's rows whose verdict depends on the extraction date. -#}
{% macro snapshot_increment_ctes(table_name, typed_columns, plan, dated_rows) -%}
-- raw increment plan: {{ plan.mode }}
{% if plan.mode in ['dated', 'changed'] -%}
{%- set columns = typed_columns.keys() | list -%}
changed_members as {{ elp_warehouse.cte_hint('materialize') }} (
    {%- if plan.mode == 'changed' %}
    select coalesce(in_extract.member_key, in_table.member_key) as member_key
    from (
        select
            {{ elp_warehouse.snapshot_member() }} as member_key,
            {{ elp_warehouse.rows_fingerprint_parts(columns) | indent(12) }}
        from (
            {{ elp_warehouse.snapshot_typed_rows(table_name, typed_columns) | indent(12) }}
        ) as extract_rows
        group by {{ elp_warehouse.snapshot_member() }}
    ) as in_extract
    full outer join (
        select
            {{ elp_warehouse.snapshot_member() }} as member_key,
            {{ elp_warehouse.rows_fingerprint_parts(columns) | indent(12) }}
        from {{ this }}
        group by {{ elp_warehouse.snapshot_member() }}
    ) as in_table
        on in_extract.member_key = in_table.member_key
    where
        in_extract.row_count is distinct from in_table.row_count
        or in_extract.hash_sum is distinct from in_table.hash_sum
    union
    {%- endif %}
    select distinct {{ elp_warehouse.snapshot_member() }} as member_key
    from {{ this }}
    where {{ dated_rows }}
),

{% endif -%}
raw_rows as {{ elp_warehouse.cte_hint('inline') }} (
    select *
    from (
        {{ elp_warehouse.snapshot_typed_rows(table_name, typed_columns) | indent(8) }}
    ) as extract_rows
    {%- if plan.mode in ['dated', 'changed'] %}
    where {{ elp_warehouse.snapshot_member() }} in (select changed_members.member_key from changed_members)
    {%- endif %}
)
{%- endmacro %}
