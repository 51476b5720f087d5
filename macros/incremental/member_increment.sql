{#- Incremental builds of the person-level event stream (docs/incremental.md). The unit of
    change is the MEMBER: late bookings and corrections can touch any earlier month, but never another member, so a member whose extract changed is rebuilt with
    their whole history and every other member is left as it is. Everything these models compute
    (row rules, correction netting, events, member-year flags) is per member, except the
    id-duplicate rules, whose members are added to the changed set (see raw_changed_members).

    Raw tables (base_claims, base_pharmacy_dispensings, base_complementary_refunds):
      watermark  = the latest `date_column` already in the table: the booking date, the
                   day a line reached the mutuality, which only grows from one extract to
                   the next;
      look-back  = lines booked after watermark - var('booking_lookback_days') are read
                   again, which absorbs last days extracted half-way;
      guard      = the lines dated on or before the cut-off must be the same number in the
                   extract as in the table; when they differ (history rewritten, late lines
                   older than the look-back), the model rebuilds every member, with a warning.
    Downstream tables (stg_claims, stg_pharmacy_dispensings, int_care_events,
    int_member_year_care) carry `loaded_at` and rebuild the members whose upstream rows were
    loaded after their own latest `loaded_at`. The upstreams named include the base tables:
    netting can leave a changed member with no staging row (a correction cancelling their only
    care), and such a member's events must still be rebuilt, i.e. removed. An upstream rebuilt
    whole (the guard fired) rebuilds the downstream table whole, which drops the members that
    vanished from the extract.
-#}

{#- The run's load timestamp, identical for every model of one invocation. -#}
{% macro load_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- Before an incremental run reads its own table to decide what to rebuild: the table must
    hold `columns`, the state this version keeps there. A table written by an earlier version
    may lack them, and the planning queries would then fail with an engine error that names
    no cause; dbt's on_schema_change check only comes after the model has been computed. -#}
{% macro require_incremental_columns(columns) %}
    {%- if not (execute and is_incremental()) -%}{{ return(none) }}{%- endif -%}
    {%- set held = adapter.get_columns_in_relation(this) | map(attribute='name')
        | map('lower') | list -%}
    {%- set missing = columns | reject('in', held) | list -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            "Incremental model " ~ this ~ " lacks column(s) " ~ missing | join(', ')
            ~ ", which this version keeps in the table to decide what to rebuild: the table was"
            ~ " written by an earlier version. Rebuild it and its dependents once: dbt build"
            ~ " --full-refresh --select " ~ this.identifier ~ "+") }}
    {%- endif -%}
{% endmacro %}

{#- One SQL scalar from the warehouse (at execution time only). -#}
{% macro scalar_query(sql) %}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set result = run_query(sql) -%}
    {{ return(result.columns[0].values()[0]) }}
{% endmacro %}

{#- Plan of an incremental read of raw table `table_name`: a dict with
      mode     'full' (first build, --full-refresh, or the guard failed) or 'increment'
      cutoff   date literal: lines dated after it are new or re-read
    Decided once per model at execution time; compile-only runs plan 'full'. -#}
{% macro raw_increment_plan(table_name, date_column) %}
    {%- if not (execute and is_incremental()) -%}
        {{ return({'mode': 'full'}) }}
    {%- endif -%}
    {%- do elp_warehouse.require_incremental_columns(['loaded_at', date_column]) -%}
    {%- set watermark = elp_warehouse.scalar_query(
        'select max(' ~ date_column ~ ') from ' ~ this) -%}
    {%- if watermark is none -%}
        {{ return({'mode': 'full'}) }}
    {%- endif -%}
    {%- set cutoff = "cast('" ~ watermark ~ "' as date) - "
        ~ (var('booking_lookback_days') | int) -%}
    {%- set cutoff = elp_warehouse.scalar_query('select ' ~ cutoff) -%}
    {%- set kept = "coalesce(" ~ date_column ~ " <= cast('" ~ cutoff ~ "' as date), true)" -%}
    {%- set in_extract = elp_warehouse.scalar_query(
        'select count(*) from ' ~ source('raw', table_name) ~ ' where ' ~ kept) -%}
    {%- set in_table = elp_warehouse.scalar_query(
        'select count(*) from ' ~ this ~ ' where ' ~ kept) -%}
    {%- if in_extract != in_table -%}
        {{ log("WARNING " ~ this ~ ": " ~ in_extract ~ " extract lines dated on or before "
            ~ cutoff ~ " (or undated) but " ~ in_table ~ " in the table: history changed "
            ~ "beyond the look-back, rebuilding every member", info=true) }}
        {{ return({'mode': 'rebuild', 'cutoff': cutoff}) }}
    {%- endif -%}
    {#- a member with lines after the cut-off in the table but none in the extract lost them
        at the source: the changed members (read from the extract) would not include them -#}
    {%- set vanished = elp_warehouse.scalar_query(
        'select count(*) from (select distinct member_id from ' ~ this ~ ' where not ' ~ kept
        ~ ') as loaded where member_id not in (select cast(member_id as ' ~ dbt.type_string()
        ~ ') from ' ~ source('raw', table_name) ~ ' where not ' ~ kept ~ ')') -%}
    {%- if vanished != 0 -%}
        {{ log("WARNING " ~ this ~ ": " ~ vanished ~ " members have lines dated after "
            ~ cutoff ~ " in the table but none in the extract: lines deleted at the source, "
            ~ "rebuilding every member", info=true) }}
        {{ return({'mode': 'rebuild', 'cutoff': cutoff}) }}
    {%- endif -%}
    {{ return({'mode': 'increment', 'cutoff': cutoff}) }}
{% endmacro %}

{#- Members whose raw lines of `table_name` must be re-read under `plan`: members with a line
    dated after the cut-off (or undated), plus every member holding an id that such a line also
    uses (the id-duplicate rules compare lines across members). Read from the extract only. -#}
{% macro raw_changed_members(table_name, date_column, id_column, plan) -%}
    {%- set is_new = "coalesce(" ~ date_column ~ " > cast('" ~ plan.cutoff ~ "' as date), true)" -%}
    select distinct cast(member_id as {{ dbt.type_string() }}) as member_id
    from {{ source('raw', table_name) }}
    where {{ is_new }} or {{ id_column }} in (
        select {{ id_column }} from {{ source('raw', table_name) }} where {{ is_new }}
    )
{%- endmacro %}

{#- The CTEs ending in `raw_lines`, the raw lines a base model reads under `plan`: all of them,
    or the changed members' whole history. The changed members are computed once (they read
    the extract's date and id columns). A full read is streamed to every consumer; the changed
    members' lines (about a tenth of the extract) are read once and kept, since each consumer
    would otherwise scan the whole extract and join it to the changed members again
    (base_pharmacy_dispensings at scale 1.0: 11.9 s streamed, 7.1 s kept). -#}
{% macro raw_increment_ctes(table_name, date_column, id_column, plan) -%}
-- raw increment plan: {{ plan.mode }}
{%- if plan.cutoff is defined %} (lines {{ date_column }} after {{ plan.cutoff }} re-read){% endif %}
{% if plan.mode == 'increment' -%}
changed_members as {{ elp_warehouse.cte_hint('materialize') }} (
    {{ elp_warehouse.raw_changed_members(table_name, date_column, id_column, plan) | indent(4) }}
),

{% endif -%}
raw_lines as {{ elp_warehouse.cte_hint('materialize' if plan.mode == 'increment' else 'inline') }} (
    select * from {{ source('raw', table_name) }}
    {%- if plan.mode == 'increment' %}
    where
        cast(member_id as {{ dbt.type_string() }})
        in (select changed_members.member_id from changed_members)
    {%- endif %}
)
{%- endmacro %}

{#- The mode of the plan a base model was compiled with, which raw_increment_ctes states in its
    SQL: the hooks, rendered after compilation, read it there instead of running the plan's
    queries over the extract and the table again (1.3 s for the dispensings at scale 1.0).
    None when there is no compiled SQL (parsing). -#}
{% macro compiled_raw_plan_mode() %}
    {%- set found = modules.re.search('-- raw increment plan: (\\w+)', model.compiled_code or '') -%}
    {{ return(found.group(1) if found else none) }}
{% endmacro %}

{#- Pre-hook of a base model: when the guard failed, removes every row (the model then reads
    the whole extract). An increment's old rows are removed by the post-hook below. -#}
{% macro raw_increment_delete(table_name, date_column) -%}
    {%- set mode = elp_warehouse.compiled_raw_plan_mode() -%}
    {%- if mode is none -%}
        {%- set mode = elp_warehouse.raw_increment_plan(table_name, date_column).mode -%}
    {%- endif -%}
    {%- if mode == 'rebuild' -%}
        delete from {{ this }}
    {%- endif -%}
{%- endmacro %}

{#- True when some row of `relation` meets `condition` (a cheap probe: stops at the first). -#}
{% macro holds_any_row(relation, condition) %}
    {%- set found = elp_warehouse.scalar_query(
        'select count(*) from (select 1 as found from ' ~ relation ~ ' where ' ~ condition
        ~ ' limit 1) as probe') -%}
    {{ return(found != 0) }}
{% endmacro %}

{#- True when the model's table holds a row loaded before this run: false after a first
    build, where the post-hooks' deletes would otherwise compute every member (every year)
    of the table to delete nothing. -#}
{% macro holds_older_rows() %}
    {{ return(elp_warehouse.holds_any_row(this, 'loaded_at < ' ~ elp_warehouse.load_timestamp())) }}
{% endmacro %}

{#- Post-hook of a model that rewrites a unit (`unit`: member_id, or the year) whole: removes the
    older rows of the units written by this run, inside the model's transaction, so the table
    is never seen with both versions. The units are found from the table's own new rows
    (loaded_at zone maps), not from the extract a second time. Base models: every changed
    member has a raw line and a base model keeps every line (rejected ones flagged), so the
    members of this run's rows are exactly the changed members; base_members_yearly likewise
    writes rows for every year it builds. -#}
{% macro replaced_rows_delete(unit) -%}
    {%- if execute and is_incremental() and elp_warehouse.holds_older_rows() -%}
        delete from {{ this }}
        where
            loaded_at < {{ elp_warehouse.load_timestamp() }}
            -- distinct: DuckDB's IN over a list of every new row's member (4 M rows for
            -- 187 k members) made this delete five times slower
            and {{ unit }} in (
                select distinct {{ unit }} from {{ this }}
                where loaded_at = {{ elp_warehouse.load_timestamp() }}
            )
    {%- endif -%}
{%- endmacro %}

{#- Latest load timestamp of a downstream incremental model, as a literal, or none. -#}
{% macro loaded_watermark() %}
    {%- if not (execute and is_incremental()) -%}{{ return(none) }}{%- endif -%}
    {%- do elp_warehouse.require_incremental_columns(['loaded_at']) -%}
    {%- set watermark = elp_warehouse.scalar_query('select max(loaded_at) from ' ~ this) -%}
    {{ return(none if watermark is none
        else "cast('" ~ watermark ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{% endmacro %}

{#- Members loaded into any of `upstreams` (relations with loaded_at) after `watermark`. -#}
{% macro members_loaded_since(upstreams, watermark) -%}
    {#- distinct: DuckDB's IN over a list holding every new row's member is several times
        slower than over the distinct members -#}
    {%- for upstream in upstreams %}
    select distinct member_id from {{ upstream }} where loaded_at > {{ watermark }}
    {%- if not loop.last %}
    union{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- True when some upstream was rebuilt whole after `watermark` (its every row is newer, e.g.
    the guard fired or it was --full-refresh'ed): members that vanished from it hold no new row,
    so the downstream model must be rebuilt whole too. -#}
{% macro upstream_rebuilt_since(upstreams, watermark) %}
    {#- rebuilt = holds a row, and none loaded at or before the watermark: two probes that stop
        at the first row found, where min(loaded_at) read the column of every row (0.2-0.4 s
        per model at scale 1.0) -#}
    {%- set probes = [] -%}
    {%- for upstream in upstreams -%}
        {%- do probes.append(
            '(select count(*) from (select 1 as found from ' ~ upstream ~ ' limit 1) as any_row)'
            ~ ' - (select count(*) from (select 1 as found from ' ~ upstream
            ~ ' where loaded_at <= ' ~ watermark ~ ' limit 1) as older_row)') -%}
    {%- endfor -%}
    {%- set rebuilt = elp_warehouse.scalar_query('select ' ~ probes | join(' + ')) -%}
    {{ return(rebuilt != 0) }}
{% endmacro %}

{#- Condition on a downstream model's input: true on a full build, else the member changed. -#}
{% macro changed_members_only(upstreams, member_column='member_id') -%}
    {%- set watermark = elp_warehouse.loaded_watermark() -%}
    {%- if watermark is none or elp_warehouse.upstream_rebuilt_since(upstreams, watermark) -%}
        true
    {%- else -%}
        {{ member_column }} in (
            {{ elp_warehouse.members_loaded_since(upstreams, watermark) | indent(4) }}
        )
    {%- endif -%}
{%- endmacro %}

{#- Condition on a downstream model's rows read from ONE upstream table that rewrites a changed
    member whole (every row of the member gets that run's loaded_at): true on a full build,
    else the row was loaded after this model's latest load. These are exactly the rows of the
    members changed upstream, found from the zone maps of `loaded_at` (new rows are appended
    together) instead of a join of the whole upstream on member_id. `rebuilt_upstreams`: the
    tables behind that upstream whose rebuild must also re-read every row (int_care_events
    reads staging, whose base table may have been rebuilt whole). -#}
{% macro rows_loaded_since_only(rebuilt_upstreams=[]) -%}
    {%- set watermark = elp_warehouse.loaded_watermark() -%}
    {%- if watermark is none or (rebuilt_upstreams
        and elp_warehouse.upstream_rebuilt_since(rebuilt_upstreams, watermark)) -%}
        true
    {%- else -%}
        loaded_at > {{ watermark }}
    {%- endif -%}
{%- endmacro %}

{#- The delete of the rows (meeting `row_condition`, if given) of the members loaded into
    `upstreams` after `watermark`; every such row when an upstream was rebuilt whole. -#}
{% macro changed_members_delete_statement(upstreams, watermark, row_condition=none) -%}
    {%- set conditions = [row_condition] if row_condition else [] -%}
    {%- if not elp_warehouse.upstream_rebuilt_since(upstreams, watermark) -%}
        {%- do conditions.append('member_id in (' ~ elp_warehouse.members_loaded_since(upstreams, watermark) ~ '\n)') -%}
    {%- endif -%}
    delete from {{ this }}
    {%- if conditions %}
    where {{ conditions | join('\n        and ') }}
    {%- endif %}
{%- endmacro %}

{#- Pre-hook of a downstream model: removes the changed members' rows. -#}
{% macro changed_members_delete(upstreams) -%}
    {%- set watermark = elp_warehouse.loaded_watermark() -%}
    {%- if watermark is not none -%}
        {{ elp_warehouse.changed_members_delete_statement(upstreams, watermark) }}
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of a model that stacks several sources, each with its own rows (int_care_events,
    column `source_table`), and rewrites a changed member's rows of one source only: for each
    `source_table` -> upstreams of `sources`, removes that source's rows of the members changed
    in its upstreams. A member changed in claims keeps their dispensing rows, which are not
    read again. One hook, one watermark: a delete can lower the table's latest loaded_at, and
    the model (compiled before its hooks) reads from the watermark it saw. -#}
{% macro source_members_delete(sources) -%}
    {%- set watermark = elp_warehouse.loaded_watermark() -%}
    {%- if watermark is not none -%}
        {%- for source_table, upstreams in sources.items() %}
        {{ elp_warehouse.changed_members_delete_statement(
            upstreams, watermark, "source_table = '" ~ source_table ~ "'") }};
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}
