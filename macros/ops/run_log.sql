{#- Run log: one row per dbt invocation in `ops.run_log`, one row per raw table read in
    `ops.run_log_sources` (docs/operations.md; documented as source `ops`).

    The tables are not dbt nodes: a build never drops or replaces them, only appends to them.
    Hooks (dbt_project.yml):
      on-run-start  run_log_start()        first hook: creates the tables, closes rows of runs
                                           that never reached on-run-end, inserts this run's row
                                           with status 'running' (so a run stopped by a later
                                           on-run-start hook, e.g. the raw preflight, still
                                           leaves a row)
                    run_log_extract()      after the preflight: the extract manifest of the raw
                                           tables this run reads (file count, bytes, newest
                                           mtime, Parquet row counts, a hash)
      on-run-end    run_log_end(results)   counts from dbt's `results`, rows read / quarantined
                                           from mart_data_quality when it was built by this run,
                                           freshness from extract_freshness when it was built
                                           by this run, status 'success' or 'failed'
    Portable SQL with dbt's cross-db type macros; only the extract manifest reads files and is
    dispatched (macro extract_manifest_sql). -#}

{% macro run_log_relation(table_name) -%}
    {{ return(api.Relation.create(
        database=target.database,
        schema='ops',
        identifier=table_name,
        type='table'
    )) }}
{%- endmacro %}

{#- Columns of the two tables, (name, type): the single definition used to create them. -#}
{% macro run_log_columns() -%}
    {%- set text = dbt.type_string() -%}
    {%- set ts = dbt.type_timestamp() -%}
    {%- set big = dbt.type_bigint() -%}
    {%- set int = dbt.type_int() -%}
    {{ return([
        ('invocation_id', text), ('command', text), ('selected', text), ('vars', text),
        ('target_name', text), ('dbt_version', text),
        ('started_at', ts), ('ended_at', ts), ('duration_s', elp_warehouse.type_double()),
        ('status', text), ('message', text),
        ('extract_hash', text), ('extract_files', int), ('extract_bytes', big),
        ('extract_rows', big),
        ('rows_read', big), ('rows_quarantined', big),
        ('models_built', int), ('models_errored', int), ('models_skipped', int),
        ('seeds_loaded', int),
        ('tests_passed', int), ('tests_warned', int), ('tests_failed', int),
        ('tests_errored', int), ('tests_skipped', int),
        ('freshness_status', text), ('latest_booking_at', ts), ('freshness_age_days', elp_warehouse.type_double()),
    ]) }}
{%- endmacro %}

{% macro run_log_source_columns() -%}
    {%- set text = dbt.type_string() -%}
    {%- set ts = dbt.type_timestamp() -%}
    {%- set big = dbt.type_bigint() -%}
    {{ return([
        ('invocation_id', text), ('source', text),
        ('file_count', dbt.type_int()), ('total_bytes', big), ('last_modified', ts),
        ('parquet_rows', big), ('source_hash', text),
        ('rows_read', big), ('rows_quarantined', big),
        ('freshness_status', text), ('latest_loaded_at', ts),
        ('freshness_age_days', elp_warehouse.type_double()),
    ]) }}
{%- endmacro %}

{% macro run_log_create_table(relation, columns) -%}
    {%- set column_sql = [] -%}
    {%- for name, data_type in columns -%}
        {%- do column_sql.append(name ~ ' ' ~ data_type) -%}
    {%- endfor -%}
    {%- do run_query('create table if not exists ' ~ relation ~ ' (' ~ column_sql | join(', ') ~ ')') -%}
{%- endmacro %}

{#- A SQL literal of a Python value (none, number, string, datetime). -#}
{% macro run_log_literal(value, data_type=none) -%}
    {%- if value is none -%}
        {%- set literal = 'null' -%}
    {%- elif value is number and value is not string -%}
        {%- set literal = value | string -%}
    {%- else -%}
        {%- set literal = "'" ~ (value | string | replace("'", "''")) ~ "'" -%}
    {%- endif -%}
    {%- if data_type is not none -%}
        {{ return('cast(' ~ literal ~ ' as ' ~ data_type ~ ')') }}
    {%- endif -%}
    {{ return(literal) }}
{%- endmacro %}

{% macro run_log_now() -%}
    {{ return(modules.datetime.datetime.now(modules.pytz.utc).replace(tzinfo=none)) }}
{%- endmacro %}

{#- `update <relation> set k = v, ... where <where>`; values are Python values cast to the
    column's type. -#}
{% macro run_log_update(relation, values, where) -%}
    {%- set types = {} -%}
    {%- for name, data_type in elp_warehouse.run_log_columns() + elp_warehouse.run_log_source_columns() -%}
        {%- do types.update({name: data_type}) -%}
    {%- endfor -%}
    {%- set assignments = [] -%}
    {%- for name, value in values.items() -%}
        {%- do assignments.append(name ~ ' = ' ~ elp_warehouse.run_log_literal(value, types[name])) -%}
    {%- endfor -%}
    {%- do run_query('update ' ~ relation ~ ' set ' ~ assignments | join(', ') ~ ' where ' ~ where) -%}
{%- endmacro %}

{% macro run_log_this_run() -%}
    {{ return("invocation_id = '" ~ invocation_id ~ "'") }}
{%- endmacro %}

{#- The selection as given on the command line (null = the whole project). -#}
{% macro run_log_selection() -%}
    {%- set parts = [] -%}
    {%- for key in ['select', 'exclude', 'selector', 'resource_types'] -%}
        {%- set given = invocation_args_dict.get(key) -%}
        {%- if given -%}
            {%- if given is string -%}
                {%- do parts.append('--' ~ key ~ ' ' ~ given) -%}
            {%- else -%}
                {%- do parts.append('--' ~ key ~ ' ' ~ given | join(' ')) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(parts | join(' ') if parts else none) }}
{%- endmacro %}

{% macro run_log_start() -%}
    {%- if not execute or var('run_log_enabled', true) in [false, 'false'] -%}
        {{ return('') }}
    {%- endif -%}
    {%- set run_log = elp_warehouse.run_log_relation('run_log') -%}
    {%- set run_log_sources = elp_warehouse.run_log_relation('run_log_sources') -%}
    {%- do adapter.create_schema(run_log) -%}
    {%- do elp_warehouse.run_log_create_table(run_log, elp_warehouse.run_log_columns()) -%}
    {%- do elp_warehouse.run_log_create_table(run_log_sources, elp_warehouse.run_log_source_columns()) -%}
    {#- Only one process writes a DuckDB file at a time, so a row still 'running' belongs to a
        run that was killed or stopped by an on-run-start hook (dbt then skips on-run-end). -#}
    {%- do elp_warehouse.run_log_update(run_log, {
        'status': 'failed',
        'message': 'the run ended without reaching on-run-end (stopped by an on-run-start hook such as the raw preflight, or killed)'
    }, "status = 'running'") -%}
    {#- the night's dates as the run used them, whether given by --vars or by the environment
        (dbt_project.yml), then the --vars given -#}
    {%- set vars_given = {'extraction_date': var('extraction_date') | string} -%}
    {%- if var('run_date', '') | string | trim -%}
        {%- do vars_given.update({'run_date': var('run_date') | string | trim}) -%}
    {%- endif -%}
    {%- do vars_given.update(invocation_args_dict.get('vars') or {}) -%}
    {%- set row = {
        'invocation_id': invocation_id,
        'command': flags.WHICH,
        'selected': elp_warehouse.run_log_selection(),
        'vars': tojson(vars_given),
        'target_name': target.name,
        'dbt_version': dbt_version,
        'started_at': run_started_at.replace(tzinfo=none),
        'status': 'running',
    } -%}
    {%- set names = [] -%}
    {%- set literals = [] -%}
    {%- for name, data_type in elp_warehouse.run_log_columns() if name in row -%}
        {%- do names.append(name) -%}
        {%- do literals.append(elp_warehouse.run_log_literal(row[name], data_type)) -%}
    {%- endfor -%}
    {%- do run_query('insert into ' ~ run_log ~ ' (' ~ names | join(', ') ~ ') values ('
        ~ literals | join(', ') ~ ')') -%}
    {{ return('') }}
{%- endmacro %}

{#- Stops the run with `message` (a compiler error), first marking this run's row of the run log
    failed with that message: dbt runs no on-run-end hook after a failed on-run-start hook. -#}
{% macro refuse_extract(message) -%}
    {%- if execute and var('run_log_enabled', true) not in [false, 'false'] -%}
        {%- do elp_warehouse.run_log_update(elp_warehouse.run_log_relation('run_log'), {
            'ended_at': elp_warehouse.run_log_now(),
            'status': 'failed',
            'message': message[:1000],
        }, elp_warehouse.run_log_this_run()) -%}
        {%- do adapter.commit() -%}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(message) }}
{%- endmacro %}

{#- The raw tables this run reads: selected sources and the sources that a selected node reads
    directly (same rule as the preflight). -#}
{% macro run_log_raw_sources() -%}
    {%- set names = [] -%}
    {%- for unique_id in selected_resources -%}
        {%- set candidates = [unique_id] -%}
        {%- set node = graph.nodes.get(unique_id) -%}
        {%- if node is not none -%}
            {%- set candidates = node.depends_on.nodes -%}
        {%- endif -%}
        {%- for candidate in candidates -%}
            {%- set raw_source = graph.sources.get(candidate) -%}
            {%- if raw_source is not none and raw_source.source_name == 'raw' and raw_source.name not in names -%}
                {%- do names.append(raw_source.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(names | sort) }}
{%- endmacro %}

{#- Extract identity of the raw tables this run reads: per table one run_log_sources row, and the
    run's extract_hash = hash over the tables' hashes (null when the run reads no raw table). -#}
{% macro run_log_extract() -%}
    {%- if not execute or var('run_log_enabled', true) in [false, 'false'] -%}
        {{ return('') }}
    {%- endif -%}
    {%- set tables = elp_warehouse.run_log_raw_sources() -%}
    {%- if tables | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set run_log = elp_warehouse.run_log_relation('run_log') -%}
    {%- set run_log_sources = elp_warehouse.run_log_relation('run_log_sources') -%}
    {%- set manifest_sql = elp_warehouse.extract_manifest_sql(tables) -%}
    {%- do run_query(
        'insert into ' ~ run_log_sources
        ~ ' (invocation_id, source, file_count, total_bytes, last_modified, parquet_rows, source_hash)'
        ~ " select '" ~ invocation_id ~ "', source, file_count, total_bytes, last_modified,"
        ~ ' parquet_rows, source_hash from (' ~ manifest_sql ~ ') as manifest'
    ) -%}
    {%- set totals_sql -%}
        select
            count(*) as tables_listed,
            sum(file_count) as extract_files,
            sum(total_bytes) as extract_bytes,
            sum(parquet_rows) as extract_rows,
            {{ dbt.hash(dbt.listagg(dbt.concat(['source', "':'", "coalesce(source_hash, 'none')"]), "';'", 'order by source')) }}
                as extract_hash
        from {{ run_log_sources }}
        where {{ elp_warehouse.run_log_this_run() }}
    {%- endset -%}
    {%- set totals = run_query(totals_sql).rows[0] -%}
    {%- do elp_warehouse.run_log_update(run_log, {
        'extract_files': totals['extract_files'],
        'extract_bytes': totals['extract_bytes'],
        'extract_rows': totals['extract_rows'],
        'extract_hash': totals['extract_hash'],
    }, elp_warehouse.run_log_this_run()) -%}
    {{ return('') }}
{%- endmacro %}

{#- A query with one row per raw table in `tables`: source, file_count, total_bytes,
    last_modified (newest file), parquet_rows (from the Parquet footers), source_hash.
    Engine-specific (file functions), hence dispatched. -#}
{% macro extract_manifest_sql(tables) -%}
    {{ return(adapter.dispatch('extract_manifest_sql', 'elp_warehouse')(tables)) }}
{%- endmacro %}

{#- Engines without file functions: the tables are listed, their identity unknown. -#}
{% macro default__extract_manifest_sql(tables) -%}
    {%- set selects = [] -%}
    {%- for table_name in tables -%}
        {%- do selects.append("select '" ~ table_name ~ "' as source, cast(null as " ~ dbt.type_int()
            ~ ") as file_count, cast(null as " ~ dbt.type_bigint() ~ ") as total_bytes, cast(null as "
            ~ dbt.type_timestamp() ~ ") as last_modified, cast(null as " ~ dbt.type_bigint()
            ~ ") as parquet_rows, cast(null as " ~ dbt.type_string() ~ ") as source_hash") -%}
    {%- endfor -%}
    {{ return(selects | join(' union all ')) }}
{%- endmacro %}

{#- DuckDB: file sizes and mtimes from read_blob (the content column is not selected, so no file
    is read), row counts and column statistics from the Parquet footers (parquet_metadata).
    The hash covers each file's path relative to ELP_RAW_DIR, size, row count and per
    row-group column statistics (min, max, null count, compressed size): an edit of the data
    changes it, while copying or touching the files (new mtime, other folder) does not. -#}
{% macro duckdb__extract_manifest_sql(tables) -%}
    {%- set raw_dir = env_var('ELP_RAW_DIR', 'data/raw') | trim -%}
    {%- set selects = [] -%}
    {%- for table_name in tables -%}
        {%- set folder = elp_warehouse.raw_table_folder(table_name) -%}
        {%- set file_glob = (folder ~ '/**/*.parquet') | replace("'", "''") -%}
        {%- set prefix_length = (folder.rstrip('/') ~ '/') | length -%}
        {%- set table_sql -%}
            select
                '{{ table_name }}' as source,
                cast(count(*) as integer) as file_count,
                cast(sum(files.size) as bigint) as total_bytes,
                cast(max(files.last_modified) as timestamp) as last_modified,
                cast(sum(footers.num_rows) as bigint) as parquet_rows,
                md5(string_agg(
                    concat_ws('|', substr(files.filename, {{ prefix_length + 1 }}), files.size,
                        footers.num_rows, stats.footer_hash),
                    ';' order by files.filename
                )) as source_hash
            from read_blob('{{ file_glob }}') as files
            left join parquet_file_metadata('{{ file_glob }}') as footers
                on files.filename = footers.file_name
            left join (
                select
                    file_name,
                    md5(string_agg(
                        concat_ws('|', row_group_id, column_id, row_group_num_rows, stats_min,
                            stats_max, stats_null_count, total_compressed_size),
                        ';' order by row_group_id, column_id
                    )) as footer_hash
                from parquet_metadata('{{ file_glob }}')
                group by file_name
            ) as stats
                on files.filename = stats.file_name
        {%- endset -%}
        {%- do selects.append(table_sql) -%}
    {%- endfor -%}
    {{ return(selects | join(' union all ')) }}
{%- endmacro %}

{#- Counts of dbt's `results` by resource type and status. -#}
{% macro run_log_result_counts(results) -%}
    {%- set counts = {
        'models_built': 0, 'models_errored': 0, 'models_skipped': 0, 'seeds_loaded': 0,
        'tests_passed': 0, 'tests_warned': 0, 'tests_failed': 0, 'tests_errored': 0,
        'tests_skipped': 0,
    } -%}
    {%- set failures = [] -%}
    {%- for result in results -%}
        {%- set kind = result.node.resource_type | string | lower | replace('nodetype.', '') -%}
        {%- set status = result.status | string | lower | replace('runstatus.', '') | replace('teststatus.', '') | replace('freshnessstatus.', '') -%}
        {%- if kind in ['model', 'snapshot'] -%}
            {%- if status == 'success' -%}{%- do counts.update({'models_built': counts['models_built'] + 1}) -%}
            {%- elif status == 'skipped' -%}{%- do counts.update({'models_skipped': counts['models_skipped'] + 1}) -%}
            {%- else -%}{%- do counts.update({'models_errored': counts['models_errored'] + 1}) -%}
            {%- endif -%}
        {%- elif kind == 'seed' -%}
            {%- if status == 'success' -%}{%- do counts.update({'seeds_loaded': counts['seeds_loaded'] + 1}) -%}
            {%- elif status == 'skipped' -%}{%- do counts.update({'models_skipped': counts['models_skipped'] + 1}) -%}
            {%- else -%}{%- do counts.update({'models_errored': counts['models_errored'] + 1}) -%}
            {%- endif -%}
        {%- elif kind in ['test', 'unit_test'] -%}
            {%- if status == 'pass' -%}{%- do counts.update({'tests_passed': counts['tests_passed'] + 1}) -%}
            {%- elif status == 'warn' -%}{%- do counts.update({'tests_warned': counts['tests_warned'] + 1}) -%}
            {%- elif status == 'fail' -%}{%- do counts.update({'tests_failed': counts['tests_failed'] + 1}) -%}
            {%- elif status == 'skipped' -%}{%- do counts.update({'tests_skipped': counts['tests_skipped'] + 1}) -%}
            {%- else -%}{%- do counts.update({'tests_errored': counts['tests_errored'] + 1}) -%}
            {%- endif -%}
        {%- endif -%}
        {%- if status in ['error', 'fail', 'runtime error', 'runtime_error'] -%}
            {%- do failures.append(result.node.name ~ ': ' ~ status ~ ((' (' ~ result.message ~ ')') if result.message else '')) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do counts.update({'failures': failures}) -%}
    {{ return(counts) }}
{%- endmacro %}

{#- The relation of model `name` when this run built it successfully, else none (ref() is
    not available in a hook). -#}
{% macro run_log_built_relation(results, name) -%}
    {%- for result in results -%}
        {%- if result.node.unique_id == 'model.elp_warehouse.' ~ name
            and (result.status | string | lower | replace('runstatus.', '')) == 'success' -%}
            {{ return(api.Relation.create(
                database=result.node.database, schema=result.node.schema,
                identifier=result.node.alias, type='table'
            )) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}

{#- Freshness (model extract_freshness, when this run built it): per raw table the newest
    booking date, its age in days against the run date and the status. -#}
{% macro run_log_freshness(results) -%}
    {%- set outcomes = {} -%}
    {%- set freshness = elp_warehouse.run_log_built_relation(results, 'extract_freshness') -%}
    {%- if freshness is not none -%}
        {%- for row in run_query(
            "select source, latest_booking_date, age_days, freshness_status from " ~ freshness
        ).rows -%}
            {%- do outcomes.update({row['source']: {
                'status': row['freshness_status'],
                'latest': row['latest_booking_date'],
                'age_days': row['age_days'],
            }}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(outcomes) }}
{%- endmacro %}

{#- The condition selecting this run's row of `run_log_sources` for raw table `table_name`,
    after inserting that row when the run has none yet (a run that read no raw file still
    reports the tables of mart_data_quality and extract_freshness). -#}
{% macro run_log_source_row(run_log_sources, table_name) -%}
    {%- set source_where = elp_warehouse.run_log_this_run() ~ " and source = '" ~ table_name ~ "'" -%}
    {%- if run_query('select count(*) from ' ~ run_log_sources ~ ' where ' ~ source_where).columns[0].values()[0] == 0 -%}
        {%- do run_query('insert into ' ~ run_log_sources ~ " (invocation_id, source) values ('"
            ~ invocation_id ~ "', '" ~ table_name ~ "')") -%}
    {%- endif -%}
    {{ return(source_where) }}
{%- endmacro %}

{% macro run_log_end(results) -%}
    {%- if not execute or var('run_log_enabled', true) in [false, 'false'] -%}
        {{ return('') }}
    {%- endif -%}
    {%- set run_log = elp_warehouse.run_log_relation('run_log') -%}
    {%- set run_log_sources = elp_warehouse.run_log_relation('run_log_sources') -%}
    {%- set this_run = elp_warehouse.run_log_this_run() -%}
    {%- set counts = elp_warehouse.run_log_result_counts(results) -%}
    {%- set ended = elp_warehouse.run_log_now() -%}
    {%- set values = {
        'ended_at': ended,
        'duration_s': (ended - run_started_at.replace(tzinfo=none)).total_seconds(),
        'status': 'failed' if counts['failures'] else 'success',
        'message': (counts['failures'] | join('; '))[:1000] if counts['failures'] else none,
    } -%}
    {%- for name in ['models_built', 'models_errored', 'models_skipped', 'seeds_loaded', 'tests_passed',
        'tests_warned', 'tests_failed', 'tests_errored', 'tests_skipped'] -%}
        {%- do values.update({name: counts[name]}) -%}
    {%- endfor -%}

    {#- rows read and quarantined per raw table: only when this run built the quality mart -#}
    {%- set quality = elp_warehouse.run_log_built_relation(results, 'mart_data_quality') -%}
    {%- if quality is not none -%}
        {%- set quality_rows = run_query(
            "select source, rows_read, rows_rejected from " ~ quality ~ " where rule = 'all_rules' order by source"
        ).rows -%}
        {%- set rows_read = [] -%}
        {%- set rows_quarantined = [] -%}
        {%- for quality_row in quality_rows -%}
            {%- set source_where = elp_warehouse.run_log_source_row(run_log_sources, quality_row['source']) -%}
            {%- do elp_warehouse.run_log_update(run_log_sources, {
                'rows_read': quality_row['rows_read'],
                'rows_quarantined': quality_row['rows_rejected'],
            }, source_where) -%}
            {%- do rows_read.append(quality_row['rows_read']) -%}
            {%- do rows_quarantined.append(quality_row['rows_rejected']) -%}
        {%- endfor -%}
        {%- do values.update({'rows_read': rows_read | sum, 'rows_quarantined': rows_quarantined | sum}) -%}
    {%- endif -%}

    {#- freshness: per table, and the worst outcome with the oldest table for the run -#}
    {%- set freshness = elp_warehouse.run_log_freshness(results) -%}
    {%- if freshness -%}
        {%- set rank = {'pass': 0, 'warn': 1, 'error': 2, 'runtime error': 3} -%}
        {%- set worst = {'status': 'pass', 'latest': none, 'age_days': none} -%}
        {%- for table_name, outcome in freshness.items() -%}
            {%- set source_where = elp_warehouse.run_log_source_row(run_log_sources, table_name) -%}
            {%- do elp_warehouse.run_log_update(run_log_sources, {
                'freshness_status': outcome['status'],
                'latest_loaded_at': outcome['latest'],
                'freshness_age_days': outcome['age_days'],
            }, source_where) -%}
            {%- if rank.get(outcome['status'], 3) >= rank.get(worst['status'], 3) -%}
                {%- do worst.update(outcome) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do values.update({
            'freshness_status': worst['status'],
            'latest_booking_at': worst['latest'],
            'freshness_age_days': worst['age_days'],
        }) -%}
    {%- endif -%}

    {%- do elp_warehouse.run_log_update(run_log, values, this_run) -%}
    {%- do log('Run log: ' ~ run_log ~ ' ' ~ invocation_id ~ ' ' ~ values['status'], info=true) -%}
    {{ return('') }}
{%- endmacro %}
