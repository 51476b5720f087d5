{#- Data tests scoped to what changed since the last clean build (docs/incremental.md).

    A test whose config carries `meta: {test_scope: ...}` reads only the rows of its model
    written since the last clean build: the latest `dbt build` of the whole project, logged in
    ops.run_log with status 'success' (no model or test failed, none skipped). A nightly build
    with selector nightly_seeds_unchanged (selectors.yml) counts as one: it leaves out only
    the data tests that read seeds alone, which passed on the same seeds before. Rows older than
    that were tested by that build and have not been written since. Scopes:
      rows    rows loaded since then (row-level tests: not_null, accepted_values);
      member  every row of the members with a row loaded since then: for keys that hold
              member_id, as the incremental models rewrite a member-year whole, so a key
              can only repeat within a member;
      unit    every row of the member-years (macro unit_columns) with a row loaded since
              then: for keys that hold member_id and a date or year, in the models rebuilt
              by member-year, which write rows ordered by it, so a night's changed years are
              read, not the table;
      year    every row of the years with a row loaded since then: for keys that hold year,
              in models rebuilt by year;
      key     every row whose key (meta `test_scope_key`, one column) a row loaded since then
              also holds: for keys that span members (claim_id), which a rewritten member can
              only break by repeating a key that a row loaded since holds. No clean build yet, a
    --full-refresh (every row is new), or var test_every_row = true: the whole table. The
    model must carry `loaded_at`. This overrides dbt's get_where_subquery, which applies the
    `where` config; that config still applies. -#}
{% macro get_where_subquery(relation) -%}
    {%- set filters = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do filters.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set meta = config.get('meta') or {} -%}
    {%- set scope = meta.get('test_scope') -%}
    {%- if scope -%}
        {%- set scope_filter = elp_warehouse.test_scope_filter(relation, scope, meta.get('test_scope_key')) -%}
        {%- if scope_filter -%}
            {%- do filters.append(scope_filter) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if filters -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ filters | join(' and ') ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{#- Start of the last clean build of the whole project (a literal), or none. -#}
{% macro last_clean_build_started_at() -%}
    {%- set started = elp_warehouse.scalar_query(
        "select max(started_at) from " ~ elp_warehouse.run_log_relation('run_log')
        ~ " where command = 'build' and status = 'success'"
        ~ " and (selected is null or selected = '--selector nightly_seeds_unchanged')"
        ~ " and models_skipped = 0 and tests_skipped = 0"
    ) -%}
    {{ return(none if started is none
        else "cast('" ~ started ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}

{#- The condition restricting a test of `relation` to `scope` (see above), or none. -#}
{% macro test_scope_filter(relation, scope, key=none) -%}
    {%- if scope not in ['rows', 'member', 'unit', 'year', 'key'] -%}
        {{ exceptions.raise_compiler_error("test_scope must be rows, member, unit, year or key, not '" ~ scope ~ "'") }}
    {%- endif -%}
    {%- if scope == 'key' and not key -%}
        {{ exceptions.raise_compiler_error("test_scope key needs meta test_scope_key (the key column)") }}
    {%- endif -%}
    {%- if not execute or var('test_every_row', false) | string | lower == 'true' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set since = elp_warehouse.last_clean_build_started_at() -%}
    {%- if since is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set loaded = 'loaded_at > ' ~ since -%}
    {#- every row written since (first build after a clean one, --full-refresh): the filter
        would select everything at the cost of a join, so test the table as it is -#}
    {%- if not elp_warehouse.holds_any_row(relation, 'not (' ~ loaded ~ ')') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if scope == 'rows' -%}
        {{ return(loaded) }}
    {%- endif -%}
    {%- if scope == 'unit' -%}
        {{ return(elp_warehouse.changed_units_condition([relation], since, relation)) }}
    {%- endif -%}
    {%- set unit = {'member': 'member_id', 'year': 'year', 'key': key}[scope] -%}
    {#- distinct: DuckDB's IN over one entry per loaded row is several times slower -#}
    {{ return(unit ~ ' in (select distinct ' ~ unit ~ ' from ' ~ relation ~ ' where ' ~ loaded ~ ')') }}
{%- endmacro %}

{#- The table behind a test's `model` argument when get_where_subquery scoped it (see above),
    else none: a test that compares its model with another table (expansion_sums_to_population)
    restricts that table to the same groups, and needs the whole table to see groups that
    vanished. Parses the subquery written above, its only format. -#}
{% macro scoped_test_relation(model) -%}
    {%- set scope = (config.get('meta') or {}).get('test_scope') -%}
    {%- set match = modules.re.match(
        '^\\(select \\* from (\\S+) where .*\\) dbt_subquery$', model | string, modules.re.S) -%}
    {{ return(match.group(1) if scope and match else none) }}
{%- endmacro %}
