{#- Incremental builds of the person-level event stream (docs/incremental.md). The unit of
    change is the MEMBER-YEAR: a member and the calendar year of an event's date. Late bookings
    and corrections can touch any earlier month, but never another member, and every rule
    these models apply (row rules, correction netting within a day, events, member-year flags)
    looks at one member and one day or year; the id-duplicate rules are the exception, and
    the units of the lines sharing a new line's id are added to the changed set (see
    raw_changed_units). So a member-year whose extract changed is rebuilt whole and every
    other one is left as it is: a night's new bookings are nearly all in the current year, and
    a changed member's older years are no longer rewritten with it.

    A model declares the column its unit's year comes from in its config meta:
    `unit_date_column` (a date) or `unit_year_column` (a year); see unit_columns.

    Raw tables (base_claims, base_pharmacy_dispensings, base_complementary_refunds):
      watermark  = the latest `date_column` already in the table: the booking date, the
                   day a line reached the mutuality, which only grows from one extract to
                   the next;
      look-back  = lines booked after watermark - var('booking_lookback_days') are read
                   again, which absorbs last days extracted half-way;
      guard      = the lines dated on or before the cut-off must be the same number in the
                   extract as in the table; when they differ (history rewritten, late lines
                   older than the look-back), the model rebuilds every unit, with a warning.
    Downstream tables (stg_claims, stg_pharmacy_dispensings, int_care_events,
    int_member_year_care) carry `loaded_at` and rebuild the units whose upstream rows were
    loaded after their own latest `loaded_at`. The upstreams named include the base tables:
    netting can leave a changed unit with no staging row (a correction cancelling a member's
    only care of the year), and such a unit's events must still be rebuilt, i.e. removed.
    int_elp_user_events, which holds every year of the members with an ELP service in any
    year, rebuilds those units too, and every year of the members who become or stop being
    ELP users (elp_slice_delete).
    An upstream rebuilt whole (the guard fired) rebuilds the downstream table whole, which
    drops the members that vanished from the extract.
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

{#- The config meta of `relation`'s model (this model when none); {} while parsing. -#}
{% macro model_meta(relation=none) %}
    {%- if relation is none -%}
        {{ return(config.get('meta') or {}) }}
    {%- endif -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.name == relation.identifier -%}
            {{ return(node.config.meta or {}) }}
        {%- endfor -%}
    {%- endif -%}
    {{ return({}) }}
{% endmacro %}

{#- The unit of change of the rows of `relation` (this model when none), as two SQL
    expressions: the member, and the calendar year of the column its model names in config meta
    `unit_date_column` (a date) or `unit_year_column` (a year). A model whose rows may lack
    either (meta `unit_may_be_null`: the base models, which keep rejected lines) makes them
    never null: a line without member is member '' (rejected either way), one without date
    is year -1, so that units compare with IN and NOT IN. The others' rows are valid lines
    (not_null tests), whose plain columns compare about twice as fast. A raw table's lines
    have the units of its base model, whose columns carry the raw names; `prefix` qualifies
    the columns. -#}
{% macro unit_columns(relation=none, prefix='') %}
    {%- set meta = elp_warehouse.model_meta(relation) -%}
    {%- if meta.get('unit_date_column') -%}
        {%- set year = 'extract(year from ' ~ prefix ~ meta['unit_date_column'] ~ ')' -%}
    {%- elif meta.get('unit_year_column') -%}
        {%- set year = prefix ~ meta['unit_year_column'] -%}
    {%- elif execute -%}
        {{ exceptions.raise_compiler_error(
            "Model " ~ (relation.identifier if relation is not none else this.identifier)
            ~ " names no unit_date_column or unit_year_column in its config meta: the year of"
            ~ " its unit of change (macros/incremental/member_increment.sql)") }}
    {%- else -%}
        {%- set year = 'null' -%}
    {%- endif -%}
    {%- if meta.get('unit_may_be_null') -%}
        {{ return([
            "coalesce(cast(" ~ prefix ~ "member_id as " ~ dbt.type_string() ~ "), '')",
            elp_warehouse.fingerprint_year(year),
        ]) }}
    {%- endif -%}
    {{ return([prefix ~ 'member_id', 'cast(' ~ year ~ ' as ' ~ dbt.type_int() ~ ')']) }}
{% endmacro %}

{#- `columns` (a list of SQL expressions) as the left side of IN: a row value when several. -#}
{% macro in_operand(columns) -%}
    {%- if columns is string -%}{{ columns }}{%- else -%}({{ columns | join(', ') }}){%- endif -%}
{%- endmacro %}

{#- `columns` (one SQL expression or a list) as a select list. -#}
{% macro select_list(columns) -%}
    {%- if columns is string -%}{{ columns }}{%- else -%}{{ columns | join(', ') }}{%- endif -%}
{%- endmacro %}

{#- Plan of an incremental read of raw table `table_name`: a dict with
      mode     'full' (first build, --full-refresh, or the guard failed) or 'increment'
      cutoff   date literal: lines dated after it are new or re-read
    Decided once per model at execution time; compile-only runs plan 'full'. -#}
{% macro raw_increment_plan(table_name, date_column) %}
    {%- if not (execute and is_incremental()) -%}
        {{ return({'mode': 'full'}) }}
    {%- endif -%}
    {%- do elp_warehouse.require_incremental_columns(['loaded_at', date_column, 'key_hash']) -%}
    {%- set watermark = elp_warehouse.scalar_query(
        'select max(' ~ date_column ~ ') from ' ~ this) -%}
    {%- if watermark is none -%}
        {{ return({'mode': 'full'}) }}
    {%- endif -%}
    {%- set cutoff = "cast('" ~ watermark ~ "' as date) - "
        ~ (var('booking_lookback_days') | int) -%}
    {%- set cutoff = elp_warehouse.scalar_query('select ' ~ cutoff) -%}
    {#- kept = dated on or before the cut-off, or undated; counted as every line less the newer
        ones: a plain count(*) comes from the metadata, and the newer lines from the row
        groups whose latest date is after the cut-off (0.04 s for the national dispensings'
        table, against 0.28 s for a count of the kept lines, which reads every date) -#}
    {%- set newer = date_column ~ " > cast('" ~ cutoff ~ "' as date)" -%}
    {%- set in_extract = elp_warehouse.scalar_query(
        'select (select count(*) from ' ~ source('raw', table_name) ~ ') - (select count(*) from '
        ~ source('raw', table_name) ~ ' where ' ~ newer ~ ')') -%}
    {%- set in_table = elp_warehouse.scalar_query(
        'select (select count(*) from ' ~ this ~ ') - (select count(*) from ' ~ this
        ~ ' where ' ~ newer ~ ')') -%}
    {%- if in_extract != in_table -%}
        {{ log("WARNING " ~ this ~ ": " ~ in_extract ~ " extract lines dated on or before "
            ~ cutoff ~ " (or undated) but " ~ in_table ~ " in the table: history changed "
            ~ "beyond the look-back, rebuilding every member", info=true) }}
        {{ return({'mode': 'rebuild', 'cutoff': cutoff}) }}
    {%- endif -%}
    {#- a unit with lines after the cut-off in the table but none in the extract lost them at
        the source: the changed units (read from the extract) would not include it. The unit
        columns are never null, so NOT IN cannot turn unknown on a line without member. -#}
    {%- set unit = elp_warehouse.unit_columns() -%}
    {%- set vanished = elp_warehouse.scalar_query(
        'select count(*) from (select distinct ' ~ unit[0] ~ ' as unit_member, ' ~ unit[1]
        ~ ' as unit_year from ' ~ this ~ ' where ' ~ newer ~ ') as loaded'
        ~ ' where (loaded.unit_member, loaded.unit_year) not in (select ' ~ unit | join(', ')
        ~ ' from ' ~ source('raw', table_name) ~ ' where ' ~ newer ~ ')') -%}
    {%- if vanished != 0 -%}
        {{ log("WARNING " ~ this ~ ": " ~ vanished ~ " member-years have lines dated after "
            ~ cutoff ~ " in the table but none in the extract: lines deleted at the source, "
            ~ "rebuilding every member", info=true) }}
        {{ return({'mode': 'rebuild', 'cutoff': cutoff}) }}
    {%- endif -%}
    {{ return({'mode': 'increment', 'cutoff': cutoff}) }}
{% endmacro %}

{#- Units (member, year) whose raw lines of `table_name` must be re-read under `plan`: the units
    of the lines dated after the cut-off (or undated), plus those of every line holding an id
    that such a line also uses (the id-duplicate rules compare lines across members and
    years). The lines holding such an id are found among the model's stored lines, by the
    64-bit hash of their id that the table keeps (`key_hash`, from duplicate_checked_cte): an
    integer semi-join over the table, where matching the ids themselves read every id of the
    extract (national dispensings, June night: 0.15 s against 1.5 s). The stored lines are
    the extract's lines booked on or before the cut-off, which raw_increment_plan checks by
    count, as every increment assumes; a hash shared by two ids only re-reads one more unit,
    which gives the same rows. -#}
{% macro raw_changed_units(table_name, date_column, id_column, plan) -%}
    {#- an OR, not coalesce(... > cut-off, true): the engine then skips the files and row
        groups dated before the cut-off -#}
    {%- set is_new = "(" ~ date_column ~ " > cast('" ~ plan.cutoff ~ "' as date) or "
        ~ date_column ~ " is null)" -%}
    {%- set unit = elp_warehouse.unit_columns() -%}
    {%- set id_hash = elp_warehouse.row_hash(['cast(' ~ id_column ~ ' as ' ~ dbt.type_string() ~ ')']) -%}
    select distinct
        {{ unit[0] }} as unit_member,
        {{ unit[1] }} as unit_year
    from {{ source('raw', table_name) }}
    where {{ is_new }}
    union
    select distinct
        {{ unit[0] }} as unit_member,
        {{ unit[1] }} as unit_year
    from {{ this }}
    where key_hash in (
        select {{ id_hash }} from {{ source('raw', table_name) }}
        where {{ is_new }} and {{ id_column }} is not null
    )
{%- endmacro %}

{#- The CTEs ending in `raw_lines`, the raw lines a base model reads under `plan`: all of them,
    or the changed units' lines. The changed units are computed once (they read the extract's
    date and id columns). A full read is streamed to every consumer; the changed units' lines
    are read once and kept, since each consumer would otherwise scan the extract and join it
    to the changed units again (base_pharmacy_dispensings at scale 1.0, by member: 11.9 s
    streamed, 7.1 s kept). -#}
{% macro raw_increment_ctes(table_name, date_column, id_column, plan) -%}
-- raw increment plan: {{ plan.mode }}
{%- if plan.cutoff is defined %} (lines {{ date_column }} after {{ plan.cutoff }} re-read){% endif %}
{% if plan.mode == 'increment' -%}
{%- set unit = elp_warehouse.unit_columns() -%}
{%- set unit_date = elp_warehouse.model_meta()['unit_date_column'] -%}
changed_units as {{ elp_warehouse.cte_hint('materialize') }} (
    {{ elp_warehouse.raw_changed_units(table_name, date_column, id_column, plan) | indent(4) }}
),

{% endif -%}
raw_lines as {{ elp_warehouse.cte_hint('materialize' if plan.mode == 'increment' else 'inline') }} (
    select * from {{ source('raw', table_name) }}
    {%- if plan.mode == 'increment' %}
    where
        -- a constant lower bound on the date: the engine skips the files and row groups of
        -- the years before the earliest changed one (a night's changes are nearly all in
        -- the current year), which the join below alone would read
        {{ unit_date }} >= (
            select make_date(min(changed_units.unit_year), 1, 1) from changed_units
            where changed_units.unit_year <> -1
        )
        and {{ elp_warehouse.in_operand(unit) }}
        in (select changed_units.unit_member, changed_units.unit_year from changed_units)
    union all
    -- the undated lines (rejected) of the changed units of year -1
    select * from {{ source('raw', table_name) }}
    where
        {{ unit_date }} is null
        and {{ unit[0] }} in (
            select changed_units.unit_member from changed_units
            where changed_units.unit_year = -1
        )
    {%- endif %}
)
{%- endmacro %}

{#- The mode of the plan a base model was compiled with, which its SQL states in a comment
    ('-- raw increment plan: <mode>', see raw_increment_ctes): the hooks, rendered after
    compilation, read it there instead of running the plan's queries over the extract and the
    table again (1.3 s for the dispensings at scale 1.0). None when there is no compiled SQL
    (parsing). -#}
{% macro compiled_raw_plan_mode() %}
    {%- set found = modules.re.search('-- raw increment plan: (\\w+)', model.compiled_code or '') -%}
    {{ return(found.group(1) if found else none) }}
{% endmacro %}

{#- Pre-hook of a base model: when its plan is 'rebuild' (the guard failed), removes every row
    (the model then reads the whole extract). An increment's old rows are removed by the
    post-hook replaced_rows_delete. -#}
{% macro rebuild_delete() -%}
    {%- if elp_warehouse.compiled_raw_plan_mode() == 'rebuild' -%}
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

{#- Post-hook of a model that rewrites a unit (`unit`: a SQL expression such as the year, or a
    list of them such as unit_columns()) whole: removes the older rows of the units written by
    this run, inside the model's transaction, so the table is never seen with both versions.
    The units are found from the table's own new rows (loaded_at zone maps), not from the
    extract a second time. Base models: every changed unit has a raw line and a base model
    keeps every line (rejected ones flagged), so the units of this run's rows are exactly the
    changed units; base_members_yearly likewise writes rows for every year it builds. -#}
{% macro replaced_rows_delete(unit) -%}
    {%- if execute and is_incremental() and elp_warehouse.holds_older_rows() -%}
        {%- set unit_date = elp_warehouse.model_meta().get('unit_date_column') -%}
        delete from {{ this }}
        where
            loaded_at < {{ elp_warehouse.load_timestamp() }}
            {%- if unit_date %}
            -- the older rows of a unit are dated in its year (or undated): a lower bound on the
            -- date, the first day of the earliest year written, lets the engine skip the row
            -- groups of the years before (national dispensings, June night: 0.6 s instead of
            -- 1.5 s, which read every row's unit)
            and (
                {{ unit_date }} >= (
                    select make_date(cast(min(extract(year from new_rows.{{ unit_date }})) as {{ dbt.type_int() }}), 1, 1)
                    from {{ this }} as new_rows
                    where new_rows.loaded_at = {{ elp_warehouse.load_timestamp() }}
                )
                or {{ unit_date }} is null
            )
            {%- endif %}
            -- distinct: DuckDB's IN over a list of every new row's member (4 M rows for
            -- 187 k members) made this delete five times slower
            and {{ elp_warehouse.in_operand(unit) }} in (
                select distinct {{ elp_warehouse.select_list(unit) }} from {{ this }}
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

{#- Units (member, year) loaded into any of `upstreams` (relations with loaded_at and a unit,
    see unit_columns) after `watermark`. -#}
{% macro units_loaded_since(upstreams, watermark) -%}
    {%- for upstream in upstreams %}
    {%- set unit = elp_warehouse.unit_columns(upstream) %}
    select distinct {{ unit[0] }} as unit_member, {{ unit[1] }} as unit_year
    from {{ upstream }} where loaded_at > {{ watermark }}
    {%- if not loop.last %}
    union{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- Condition on the rows of `relation` (this model when none): their unit (member, year) is
    among the units loaded into `upstreams` after `watermark`. It starts with a lower bound on
    the unit's date (or year) column, the first day of the earliest changed year: the models
    write their rows ordered by it, so the engine skips the row groups of the years before
    (a night's changes are nearly all in the current year); the IN alone reads every row. -#}
{% macro changed_units_condition(upstreams, watermark, relation=none) -%}
    {%- set meta = elp_warehouse.model_meta(relation) -%}
    {%- set units = elp_warehouse.units_loaded_since(upstreams, watermark) -%}
    {%- if meta.get('unit_date_column') -%}
        {%- set bound = meta['unit_date_column'] ~ ' >= (select make_date(min(unit_year), 1, 1)' -%}
    {%- else -%}
        {%- set bound = meta.get('unit_year_column') ~ ' >= (select min(unit_year)' -%}
    {%- endif -%}
    {{ bound }} from (
        {{- units | indent(4) }}
    ) as changed_units where unit_year <> -1)
    and {{ elp_warehouse.in_operand(elp_warehouse.unit_columns(relation)) }} in (
        select unit_member, unit_year from (
            {{- units | indent(8) }}
        ) as changed_units
    )
{%- endmacro %}

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

{#- Condition on a downstream model's rows of `relation` (an upstream): true on a full build,
    else the row's unit (member, year) changed in `upstreams`. -#}
{% macro changed_units_only(upstreams, relation) -%}
    {%- set watermark = elp_warehouse.loaded_watermark() -%}
    {%- if watermark is none or elp_warehouse.upstream_rebuilt_since(upstreams, watermark) -%}
        true
    {%- else -%}
        {{ elp_warehouse.changed_units_condition(upstreams, watermark, relation) }}
    {%- endif -%}
{%- endmacro %}

{#- Condition on a downstream model's rows read from ONE upstream table that rewrites a changed
    unit whole (every row of the unit gets that run's loaded_at): true on a full build, else
    the row was loaded after this model's latest load. These are exactly the rows of the
    units changed upstream, found from the zone maps of `loaded_at` (new rows are appended
    together) instead of a join of the whole upstream on the unit. `rebuilt_upstreams`: the
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

{#- The delete of the rows (meeting `row_condition`, if given) of the members (`by` 'member')
    or units (`by` 'unit': member and year) loaded into `upstreams` after `watermark`; every
    such row when an upstream was rebuilt whole. -#}
{% macro changed_rows_delete_statement(upstreams, watermark, by, row_condition=none) -%}
    {%- set conditions = [row_condition] if row_condition else [] -%}
    {%- if not elp_warehouse.upstream_rebuilt_since(upstreams, watermark) -%}
        {%- if by == 'unit' -%}
            {%- do conditions.append(elp_warehouse.changed_units_condition(upstreams, watermark)) -%}
        {%- else -%}
            {%- do conditions.append('member_id in ('
                ~ elp_warehouse.members_loaded_since(upstreams, watermark) ~ '\n)') -%}
        {%- endif -%}
    {%- endif -%}
    delete from {{ this }}
    {%- if conditions %}
    where {{ conditions | join('\n        and ') }}
    {%- endif %}
{%- endmacro %}

{#- Pre-hook of a downstream model: removes the rows of the members (`by` 'member': a model
    whose rows span years, base_affiliation_spells) or of the units (`by` 'unit') changed in
    `upstreams`. -#}
{% macro changed_rows_delete(upstreams, by) -%}
    {%- set watermark = elp_warehouse.loaded_watermark() -%}
    {%- if watermark is not none -%}
        {{ elp_warehouse.changed_rows_delete_statement(upstreams, watermark, by) }}
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of int_elp_user_events, the rows of `events` of the members with a row meeting
    `condition` (an ELP service) in any year, rebuilt by member-year: removes the rows of the
    units changed in `upstreams`, and every row of the changed members without such a row left
    in `events` (they stopped being ELP users: their other years go too). The model then
    writes the changed units of the members who have one, and every year of those who have
    no row left here (new ELP users). -#}
{% macro elp_slice_delete(upstreams, events, condition) -%}
    {%- set watermark = elp_warehouse.loaded_watermark() -%}
    {%- if watermark is not none -%}
        {%- if elp_warehouse.upstream_rebuilt_since(upstreams, watermark) -%}
        delete from {{ this }}
        {%- else -%}
        delete from {{ this }}
        where
            {{ elp_warehouse.changed_units_condition(upstreams, watermark) | indent(12) }}
            or member_id in (
                select changed_units.unit_member from (
                    {{- elp_warehouse.units_loaded_since(upstreams, watermark) | indent(20) }}
                ) as changed_units
                where changed_units.unit_member not in (
                    select users.member_id from {{ events }} as users where {{ condition }}
                )
            )
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of a model that stacks several sources, each with its own rows (int_care_events,
    column `source_table`), and rewrites a changed unit's rows of one source only: for each
    `source_table` -> upstreams of `sources`, removes that source's rows of the units changed
    in its upstreams. A member-year changed in claims keeps its dispensing rows, which are not
    read again. One hook, one watermark: a delete can lower the table's latest loaded_at, and
    the model (compiled before its hooks) reads from the watermark it saw. -#}
{% macro source_units_delete(sources) -%}
    {%- set watermark = elp_warehouse.loaded_watermark() -%}
    {%- if watermark is not none -%}
        {%- for source_table, upstreams in sources.items() %}
        {{ elp_warehouse.changed_rows_delete_statement(
            upstreams, watermark, 'unit', "source_table = '" ~ source_table ~ "'") }};
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}
