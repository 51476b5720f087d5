{#- The run log's hooks (dbt_project.yml, docs/operations.md). Its two tables are not dbt nodes:
    a build appends to them and never replaces them. -#}

{#- dbt also runs on-run-start (but not on-run-end) for `compile` and `docs generate`: their
    row would stay 'running' and the next run would mark it failed. Only the commands that run
    nodes, and so reach on-run-end with their results, are logged (`dbt retry` runs under the
    command it retries). -#}
{% macro run_log_commands() -%}
    {{ return(['build', 'run', 'seed', 'snapshot', 'test']) }}
{%- endmacro %}

{% macro run_log_enabled() -%}
    {{ return(
        execute and flags.WHICH in run_log_commands()
        and var('run_log_enabled', true) not in [false, 'false']
        and run_log_supported()
    ) }}
{%- endmacro %}

{#- The run log completes its row with UPDATE, which Spark runs only on tables of a format
    with row-level changes (Delta, Iceberg), not on the Parquet tables of the local session:
    on Spark there is no run log (docs/engines.md); dbt's run_results.json records the run. -#}
{% macro run_log_supported() -%}
    {{ return(adapter.dispatch('run_log_supported', 'elp_warehouse')()) }}
{%- endmacro %}

{% macro default__run_log_supported() -%}
    {{ return(true) }}
{%- endmacro %}

{% macro spark__run_log_supported() -%}
    {{ return(false) }}
{%- endmacro %}

{% macro run_log_relation(table_name) -%}
    {{ return(api.Relation.create(
        database=target.database, schema='ops', identifier=table_name, type='table'
    )) }}
{%- endmacro %}

{% macro run_log_columns(table_name) -%}
    {%- set text, ts, big, int = dbt.type_string(), dbt.type_timestamp(), dbt.type_bigint(), dbt.type_int() -%}
    {%- set double = type_double() -%}
    {%- set columns = {
        'run_log': [
            ('invocation_id', text), ('command', text), ('selected', text), ('vars', text),
            ('target_name', text), ('dbt_version', text), ('started_at', ts), ('ended_at', ts),
            ('duration_s', double), ('status', text), ('message', text), ('extract_hash', text),
            ('extract_files', int), ('extract_bytes', big), ('extract_rows', big),
            ('rows_read', big), ('rows_quarantined', big), ('models_built', int),
            ('models_errored', int), ('models_skipped', int), ('seeds_loaded', int),
            ('tests_passed', int), ('tests_warned', int), ('tests_failed', int),
            ('tests_errored', int), ('tests_skipped', int), ('freshness_status', text),
            ('latest_booking_at', ts), ('freshness_age_days', double),
        ],
        'run_log_sources': [
            ('invocation_id', text), ('source', text), ('file_count', int), ('total_bytes', big),
            ('last_modified', ts), ('parquet_rows', big), ('source_hash', text),
            ('rows_read', big), ('rows_quarantined', big), ('freshness_status', text),
            ('latest_loaded_at', ts), ('freshness_age_days', double),
        ],
    } -%}
    {{ return(columns[table_name]) }}
{%- endmacro %}

{% macro run_log_write(table_name, values, where=none) -%}
    {%- set types = dict(run_log_columns(table_name)) -%}
    {%- set literals = {} -%}
    {%- for name, value in values.items() -%}
        {%- if value is none -%}
            {%- set literal = 'null' -%}
        {%- elif value is number -%}
            {%- set literal = value | string -%}
        {%- else -%}
            {%- set literal = "'" ~ (value | string | replace("'", "''")) ~ "'" -%}
        {%- endif -%}
        {%- do literals.update({name: 'cast(' ~ literal ~ ' as ' ~ types[name] ~ ')'}) -%}
    {%- endfor -%}
    {%- set relation = run_log_relation(table_name) -%}
    {%- if where is none -%}
        {%- do run_query('insert into ' ~ relation ~ ' (' ~ literals.keys() | join(', ')
            ~ ') values (' ~ literals.values() | join(', ') ~ ')') -%}
    {%- else -%}
        {%- set assignments = [] -%}
        {%- for name, literal in literals.items() -%}
            {%- do assignments.append(name ~ ' = ' ~ literal) -%}
        {%- endfor -%}
        {%- do run_query('update ' ~ relation ~ ' set ' ~ assignments | join(', ') ~ ' where ' ~ where) -%}
    {%- endif -%}
{%- endmacro %}

{% macro run_log_this_run() -%}
    {{ return("invocation_id = '" ~ invocation_id ~ "'") }}
{%- endmacro %}

{% macro run_log_start() -%}
    {%- if not run_log_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- do adapter.create_schema(run_log_relation('run_log')) -%}
    {%- for table_name in ['run_log', 'run_log_sources'] -%}
        {%- set column_sql = [] -%}
        {%- for name, data_type in run_log_columns(table_name) -%}
            {%- do column_sql.append(name ~ ' ' ~ data_type) -%}
        {%- endfor -%}
        {%- do run_query('create table if not exists ' ~ run_log_relation(table_name)
            ~ ' (' ~ column_sql | join(', ') ~ ')') -%}
    {%- endfor -%}
    {#- Only one process writes a DuckDB file at a time, so a row still 'running' belongs to a
        run that was killed or stopped by an on-run-start hook (dbt then skips on-run-end). -#}
    {%- do run_log_write('run_log', {
        'status': 'failed',
        'message': 'the run ended without reaching on-run-end (stopped by an on-run-start hook such as the raw preflight, or killed)'
    }, "status = 'running'") -%}
    {#- the night's dates as the run used them, from --vars or the environment -#}
    {%- set vars_given = {'extraction_date': var('extraction_date') | string} -%}
    {%- if var('run_date', '') | string | trim -%}
        {%- do vars_given.update({'run_date': var('run_date') | string | trim}) -%}
    {%- endif -%}
    {#- YAML reads an unquoted 2025-06-23 as a date, which JSON cannot hold: kept as its text -#}
    {%- for name, value in (invocation_args_dict.get('vars') or {}).items() -%}
        {%- do vars_given.update({
            name: value if value is none or value is boolean or value is number or value is string
            else value | string
        }) -%}
    {%- endfor -%}
    {%- set selection = [] -%}
    {%- for key in ['select', 'exclude', 'selector', 'resource_types'] if invocation_args_dict.get(key) -%}
        {%- set given = invocation_args_dict[key] -%}
        {%- do selection.append('--' ~ key ~ ' ' ~ (given if given is string else given | join(' '))) -%}
    {%- endfor -%}
    {%- do run_log_write('run_log', {
        'invocation_id': invocation_id,
        'command': flags.WHICH,
        'selected': selection | join(' ') if selection else none,
        'vars': tojson(vars_given),
        'target_name': target.name,
        'dbt_version': dbt_version,
        'started_at': run_started_at.replace(tzinfo=none),
        'status': 'running',
    }) -%}
    {{ return('') }}
{%- endmacro %}

{#- dbt runs no on-run-end hook after a failed on-run-start hook: the refusal closes the run's
    row itself. -#}
{% macro refuse_extract(message) -%}
    {%- if run_log_enabled() -%}
        {%- do run_log_write('run_log', {
            'ended_at': modules.datetime.datetime.now(modules.pytz.utc).replace(tzinfo=none),
            'status': 'failed',
            'message': message[:1000],
        }, run_log_this_run()) -%}
        {%- do adapter.commit() -%}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(message) }}
{%- endmacro %}

{% macro run_log_extract() -%}
    {%- if not run_log_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set tables = raw_sources_read_by_selection() | map(attribute='name') | list -%}
    {%- if tables | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set run_log_sources = run_log_relation('run_log_sources') -%}
    {%- set manifest_columns = 'source, file_count, total_bytes, last_modified, parquet_rows, source_hash' -%}
    {%- do run_query('insert into ' ~ run_log_sources ~ ' (invocation_id, ' ~ manifest_columns ~ ")"
        ~ " select '" ~ invocation_id ~ "', " ~ manifest_columns
        ~ ' from (' ~ extract_manifest_sql(tables) ~ ') as manifest') -%}
    {%- set totals_sql -%}
        select
            sum(file_count) as extract_files,
            sum(total_bytes) as extract_bytes,
            sum(parquet_rows) as extract_rows,
            {{ dbt.hash(dbt.listagg(dbt.concat(['source', "':'", "coalesce(source_hash, 'none')"]), "';'", 'order by source')) }}
                as extract_hash
        from {{ run_log_sources }}
        where {{ run_log_this_run() }}
    {%- endset -%}
    {%- set totals = run_query(totals_sql) -%}
    {%- set values = {} -%}
    {%- for column in totals.column_names -%}
        {%- do values.update({column: totals.rows[0][column]}) -%}
    {%- endfor -%}
    {%- do run_log_write('run_log', values, run_log_this_run()) -%}
    {{ return('') }}
{%- endmacro %}

{% macro extract_manifest_sql(tables) -%}
    {{ return(adapter.dispatch('extract_manifest_sql', 'elp_warehouse')(tables)) }}
{%- endmacro %}

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

{#- The content column of read_blob is not selected, so no file is read. The hash leaves out
    the mtime and the folder, so that copying or touching the files does not change it. -#}
{% macro duckdb__extract_manifest_sql(tables) -%}
    {%- set selects = [] -%}
    {%- for table_name in tables -%}
        {%- set folder = raw_table_folder(table_name) -%}
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

{#- ref() is not available in a hook: the relation of model `name` when this run built it. -#}
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

{% macro run_log_end(results) -%}
    {%- if not run_log_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set this_run = run_log_this_run() -%}
    {%- set values = {} -%}
    {%- set column_of = {
        'models:success': 'models_built', 'models:skipped': 'models_skipped',
        'models': 'models_errored', 'seeds:success': 'seeds_loaded', 'seeds:skipped': 'models_skipped',
        'seeds': 'models_errored', 'tests:pass': 'tests_passed', 'tests:warn': 'tests_warned',
        'tests:fail': 'tests_failed', 'tests:skipped': 'tests_skipped', 'tests': 'tests_errored',
    } -%}
    {%- for column in column_of.values() -%}
        {%- do values.update({column: 0}) -%}
    {%- endfor -%}
    {%- set kinds = {'model': 'models', 'snapshot': 'models', 'seed': 'seeds', 'test': 'tests', 'unit_test': 'tests'} -%}
    {%- set failures = [] -%}
    {%- for result in results -%}
        {%- set kind = kinds.get(result.node.resource_type | string | lower | replace('nodetype.', '')) -%}
        {%- set status = result.status | string | lower | replace('runstatus.', '') | replace('teststatus.', '') -%}
        {%- if kind -%}
            {%- set column = column_of.get(kind ~ ':' ~ status, column_of[kind]) -%}
            {%- do values.update({column: values[column] + 1}) -%}
        {%- endif -%}
        {%- if status in ['error', 'fail', 'runtime error', 'runtime_error'] -%}
            {%- do failures.append(result.node.name ~ ': ' ~ status ~ ((' (' ~ result.message ~ ')') if result.message else '')) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set ended = modules.datetime.datetime.now(modules.pytz.utc).replace(tzinfo=none) -%}
    {%- do values.update({
        'ended_at': ended,
        'duration_s': (ended - run_started_at.replace(tzinfo=none)).total_seconds(),
        'status': 'failed' if failures else 'success',
        'message': (failures | join('; '))[:1000] if failures else none,
    }) -%}

    {#- per raw table: rows read and quarantined, and freshness, when this run built the models
        that hold them; the run's row gets the sums and the worst freshness (the oldest table
        among the worst, hence the order) -#}
    {%- set per_source = {} -%}
    {%- set quality = run_log_built_relation(results, 'mart_data_quality') -%}
    {%- if quality is not none -%}
        {%- do values.update({'rows_read': 0, 'rows_quarantined': 0}) -%}
        {%- for row in run_query("select source, rows_read, rows_rejected from " ~ quality ~ " where rule = 'all_rules'").rows -%}
            {%- do per_source.setdefault(row['source'], {}).update({
                'rows_read': row['rows_read'], 'rows_quarantined': row['rows_rejected']
            }) -%}
            {%- do values.update({
                'rows_read': values['rows_read'] + row['rows_read'],
                'rows_quarantined': values['rows_quarantined'] + row['rows_rejected'],
            }) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set freshness = run_log_built_relation(results, 'extract_freshness') -%}
    {%- if freshness is not none -%}
        {%- set rank = {'pass': 0, 'warn': 1, 'error': 2} -%}
        {%- do values.update({'freshness_status': 'pass'}) -%}
        {%- for row in run_query("select source, latest_booking_date, age_days, freshness_status from "
            ~ freshness ~ " order by age_days, source").rows -%}
            {%- do per_source.setdefault(row['source'], {}).update({
                'freshness_status': row['freshness_status'],
                'latest_loaded_at': row['latest_booking_date'],
                'freshness_age_days': row['age_days'],
            }) -%}
            {%- if rank.get(row['freshness_status'], 3) >= rank.get(values['freshness_status'], 3) -%}
                {%- do values.update({
                    'freshness_status': row['freshness_status'],
                    'latest_booking_at': row['latest_booking_date'],
                    'freshness_age_days': row['age_days'],
                }) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for source, source_values in per_source.items() -%}
        {#- a run that read no raw file (no manifest row) still reports its tables -#}
        {%- set source_where = this_run ~ " and source = '" ~ source ~ "'" -%}
        {%- if run_query('select count(*) from ' ~ run_log_relation('run_log_sources')
            ~ ' where ' ~ source_where).columns[0].values()[0] == 0 -%}
            {%- do run_log_write('run_log_sources', {'invocation_id': invocation_id, 'source': source}) -%}
        {%- endif -%}
        {%- do run_log_write('run_log_sources', source_values, source_where) -%}
    {%- endfor -%}
    {%- do run_log_write('run_log', values, this_run) -%}
    {%- do log('Run log: ' ~ run_log_relation('run_log') ~ ' ' ~ invocation_id ~ ' ' ~ values['status'], info=true) -%}
    {{ return('') }}
{%- endmacro %}
