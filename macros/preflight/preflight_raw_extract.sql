{% macro preflight_raw_extract() -%}
    {%- if not execute or var('skip_raw_preflight', false) -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(adapter.dispatch('preflight_raw_extract', 'elp_warehouse')()) }}
{%- endmacro %}

{% macro default__preflight_raw_extract() -%}
    {%- do log('Raw preflight: not implemented for adapter ' ~ adapter.type() ~ ', skipped', info=true) -%}
    {{ return('') }}
{%- endmacro %}

{% macro duckdb__preflight_raw_extract() -%}
    {%- for raw_source in raw_sources_read_by_selection() -%}
        {%- do preflight_raw_table(raw_source) -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}

{#- a build of downstream models only reads no raw table, and checks none -#}
{% macro raw_sources_read_by_selection() -%}
    {%- set source_ids = [] -%}
    {%- for unique_id in selected_resources -%}
        {%- set node = graph.nodes.get(unique_id) -%}
        {%- for dependency in (node.depends_on.nodes if node is not none else []) -%}
            {%- set dependency_source = graph.sources.get(dependency) -%}
            {%- if dependency_source is not none and dependency_source.source_name == 'raw'
                and dependency not in source_ids -%}
                {%- do source_ids.append(dependency) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set raw_sources = [] -%}
    {%- for source_id in source_ids | sort -%}
        {%- do raw_sources.append(graph.sources[source_id]) -%}
    {%- endfor -%}
    {{ return(raw_sources) }}
{%- endmacro %}

{% macro raw_table_folder(table_name) -%}
    {%- set raw_dir = env_var('ELP_RAW_DIR', 'data/raw') | trim -%}
    {{ return(raw_dir.rstrip('/') ~ '/' ~ table_name) }}
{%- endmacro %}

{% macro preflight_raw_table(raw_source) -%}
    {%- set started = modules.datetime.datetime.now() -%}
    {%- set table_name = raw_source.name -%}
    {%- set folder = raw_table_folder(table_name) -%}
    {%- set file_glob = (folder ~ '/**/*.parquet') | replace("'", "''") -%}
    {%- set refusal = 'Raw extract refused (source contract, table ' ~ table_name ~ '): ' -%}

    {%- set files = run_query("select file from glob('" ~ file_glob ~ "') order by file").columns[0].values() -%}
    {%- if files | length == 0 -%}
        {{ refuse_extract(refusal ~ 'no Parquet file in folder ' ~ folder
            ~ ' (expected ' ~ folder ~ '/**/*.parquet; set ELP_RAW_DIR to the extract folder)') }}
    {%- endif -%}
    {%- set clutter = preflight_clutter(folder, refusal) -%}

    {#- each file read on its own, so that DuckDB's error on a corrupt footer names that file -#}
    {%- set timestamp_columns = [] -%}
    {%- set float_columns = [] -%}
    {%- for file in files -%}
        {%- set quoted_file = file | replace("'", "''") -%}
        {%- do log('Raw preflight: reading the schema of ' ~ file, info=false) -%}
        {%- set described = run_query(
            "describe select * from read_parquet('" ~ quoted_file ~ "', hive_partitioning = false)"
        ) -%}
        {%- set file_types = {} -%}
        {%- for row in described.rows -%}
            {%- do file_types.update({row['column_name'] | lower: row['column_type'] | upper}) -%}
        {%- endfor -%}
        {%- for column in raw_source.columns.values() -%}
            {%- set expected_type = (column.data_type or '') | upper -%}
            {%- set family = raw_type_family(expected_type, contract=true) -%}
            {%- set column_name = column.name | lower -%}
            {%- if column_name not in file_types -%}
                {{ refuse_extract(refusal ~ 'file ' ~ file ~ ' has no column '
                    ~ column.name ~ ' (contract type ' ~ expected_type ~ ')') }}
            {%- endif -%}
            {%- set actual_type = file_types[column_name] -%}
            {%- if family not in raw_type_family(actual_type) -%}
                {{ refuse_extract(refusal ~ 'file ' ~ file ~ ', column '
                    ~ column.name ~ ' has type ' ~ actual_type ~ '; the contract wants '
                    ~ expected_type ~ ' (a ' ~ family ~ ' type)') }}
            {%- endif -%}
            {#- an instant has no date of its own: casting it gives the date in the session's
                time zone, one day off on a host east of UTC for a date written at midnight UTC -#}
            {%- if family == 'date' and ('TIME ZONE' in actual_type or actual_type == 'TIMESTAMPTZ') -%}
                {{ refuse_extract(refusal ~ 'file ' ~ file ~ ', column ' ~ column.name
                    ~ ' has type ' ~ actual_type ~ '; the contract wants DATE. Check '
                    ~ 'timestamp_with_time_zone_for_date: its date depends on the time zone of the '
                    ~ 'host that reads it. Fix: write the column as a Parquet DATE (Arrow date32), '
                    ~ 'the calendar date of the delivery') }}
            {%- elif family == 'date' and actual_type.startswith('TIMESTAMP') -%}
                {%- do timestamp_columns.append((file, column.name, actual_type)) -%}
            {%- elif contract_type_bound(expected_type) is not none
                and actual_type.split('(')[0] in ['DOUBLE', 'FLOAT', 'REAL'] -%}
                {%- do float_columns.append((file, column.name, actual_type, expected_type)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}

    {%- do preflight_row_counts(raw_source, file_glob, files | length, refusal) -%}
    {%- do preflight_value_ranges(raw_source, file_glob, refusal) -%}
    {%- do preflight_timestamps_at_midnight(timestamp_columns, refusal) -%}
    {%- do preflight_finite_values(float_columns, refusal) -%}

    {#- only member_id is read; the files are named by a second query, run only on a match -#}
    {%- if 'member_id' in raw_source.columns -%}
        {%- set niss_filter = looks_like_niss('member_id') -%}
        {%- set niss_count_sql -%}
            select count(*) as niss_like_rows
            from read_parquet('{{ file_glob }}', union_by_name = true, hive_partitioning = false)
            where {{ niss_filter }}
        {%- endset -%}
        {%- if run_query(niss_count_sql).columns[0].values()[0] > 0 -%}
            {%- set niss_files_sql -%}
                select filename as file, count(*) as niss_like_rows
                from read_parquet('{{ file_glob }}', filename = true, union_by_name = true, hive_partitioning = false)
                where {{ niss_filter }}
                group by filename
                order by filename
            {%- endset -%}
            {%- set niss_files = run_query(niss_files_sql) -%}
            {%- set listed = [] -%}
            {%- for row in niss_files.rows[:5] -%}
                {%- do listed.append(row['file'] ~ ' (' ~ row['niss_like_rows'] ~ ' rows)') -%}
            {%- endfor -%}
            {{ refuse_extract(refusal ~ 'member_id looks like a national register '
                ~ 'number (INSZ/NISS, 11 digits) in ' ~ listed | join(', ')
                ~ (' and more files' if niss_files.rows | length > 5 else '')
                ~ '. Rule member_id_looks_like_niss: the extract must carry pseudonymised '
                ~ 'identifiers only; values are not shown.') }}
        {%- endif -%}
    {%- endif -%}

    {%- set seconds = (modules.datetime.datetime.now() - started).total_seconds() -%}
    {%- do log('Raw preflight: ' ~ table_name ~ ': ' ~ files | length ~ ' file(s), contract columns, '
        ~ 'types and value ranges ok, no NISS-like member_id'
        ~ ('; ignored: ' ~ clutter | join(', ') if clutter else '')
        ~ ' (' ~ '%.2f' | format(seconds) ~ ' s)', info=true) -%}
{%- endmacro %}

{#- a file that is not Parquet (e.g. a month delivered as CSV) would be left out silently -#}
{% macro preflight_clutter(folder, refusal) -%}
    {%- set other_glob = (folder ~ '/**/*') | replace("'", "''") -%}
    {%- set others = run_query(
        "select file, regexp_matches(file, '(^|/)([._][^/]*|README[^/]*)$', 'i') as is_clutter"
        ~ " from glob('" ~ other_glob ~ "') where not file like '%.parquet' order by file"
    ) -%}
    {%- set clutter = [] -%}
    {%- set strays = [] -%}
    {%- for row in others.rows -%}
        {%- do (clutter if row['is_clutter'] else strays).append(row['file'][folder | length + 1:]) -%}
    {%- endfor -%}
    {%- if strays | length > 0 -%}
        {{ refuse_extract(refusal ~ 'file ' ~ folder ~ '/' ~ strays[0] ~ ' is not a Parquet file'
            ~ ' (name ending in .parquet)' ~ ((' and ' ~ (strays | length - 1) ~ ' other file(s)')
                if strays | length > 1 else '')
            ~ '; the build reads Parquet only and would leave its rows out (check non_parquet_file)') }}
    {%- endif -%}
    {{ return(clutter) }}
{%- endmacro %}

{% macro preflight_row_counts(raw_source, file_glob, file_count, refusal) -%}
    {%- set counted = run_query(
        "select file_name, num_rows from parquet_file_metadata('" ~ file_glob ~ "') order by file_name"
    ) -%}
    {%- set total = counted.columns[1].values() | sum -%}
    {%- set allowed_empty = var('raw_tables_allowed_empty') -%}
    {%- if allowed_empty is string -%}
        {%- set allowed_empty = allowed_empty.split(',') | map('trim') | list -%}
    {%- endif -%}
    {%- if total == 0 and raw_source.name not in allowed_empty -%}
        {{ refuse_extract(refusal ~ 'the table has no rows (' ~ file_count ~ ' file(s), '
            ~ counted.columns[0].values() | first ~ (' ...' if file_count > 1 else '')
            ~ '). Check empty_table: a delivery without ' ~ raw_source.name ~ ' is broken; var '
            ~ 'raw_tables_allowed_empty lists the tables that may be empty') }}
    {%- endif -%}
    {%- if file_count > 1 -%}
        {%- for row in counted.rows if row['num_rows'] == 0 -%}
            {{ refuse_extract(refusal ~ 'file ' ~ row['file_name'] ~ ' has no rows (schema only), '
                ~ 'beside ' ~ (file_count - 1) ~ ' other file(s). Check empty_file: a part of '
                ~ 'the delivery is missing; deliver it again or remove the file') }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- The Parquet footer's min and max per row group: no data page is read, except for a row
    group written without statistics. A NaN sorts above every number, so it is out of range. -#}
{% macro preflight_value_ranges(raw_source, file_glob, refusal) -%}
    {%- set bounds = {} -%}
    {%- for column in raw_source.columns.values() -%}
        {%- set bound = contract_type_bound((column.data_type or '') | upper) -%}
        {%- if bound is not none -%}
            {%- do bounds.update({column.name | lower: bound}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if bounds | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set ranges_sql -%}
        with bounds (column_name, low_bound, high_bound) as (
            values
            {%- for column_name, bound in bounds.items() %}
                ('{{ column_name }}', {{ bound.low }}::double, {{ bound.high }}::double)
                {{- ',' if not loop.last }}
            {%- endfor %}
        ),

        ranges as (
            select
                file_name,
                lower(path_in_schema) as column_name,
                arg_min(stats_min_value, try_cast(stats_min_value as double)) as low,
                arg_max(stats_max_value, try_cast(stats_max_value as double)) as high,
                min(try_cast(stats_min_value as double)) as low_value,
                max(try_cast(stats_max_value as double)) as high_value,
                bool_or(stats_min_value is null and num_values > coalesce(stats_null_count, 0))
                    as statistics_missing
            from parquet_metadata('{{ file_glob }}')
            group by all
        )

        select ranges.*, low_value < low_bound or high_value > high_bound as out_of_range
        from ranges
        inner join bounds on ranges.column_name = bounds.column_name
        order by file_name, column_name
    {%- endset -%}
    {%- for row in run_query(ranges_sql).rows -%}
        {%- set column_name = row['column_name'] -%}
        {%- set bound = bounds[column_name] -%}
        {%- set found = [row['low'], row['high'], row['out_of_range']] -%}
        {%- if row['statistics_missing'] -%}
            {%- set scanned_sql -%}
                select
                    min({{ column_name }})::varchar,
                    max({{ column_name }})::varchar,
                    min({{ column_name }})::double < {{ bound.low }} or max({{ column_name }})::double > {{ bound.high }}
                from read_parquet('{{ row['file_name'] | replace("'", "''") }}', hive_partitioning = false)
            {%- endset -%}
            {%- set found = run_query(scanned_sql).rows[0] -%}
        {%- endif -%}
        {%- if found[2] -%}
            {{ refuse_extract(refusal ~ 'file ' ~ row['file_name'] ~ ', column ' ~ column_name
                ~ ' holds values from ' ~ found[0] ~ ' to ' ~ found[1] ~ ', outside the contract type '
                ~ bound.type ~ ' (' ~ bound.low ~ ' to ' ~ bound.high
                ~ '). Check value_out_of_type_range: the load would stop on a conversion error or '
                ~ 'round the value; fix the value (or its unit) in the delivery') }}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}

{#- the range of an integer or DECIMAL(p, s) contract type, as SQL number literals; none for the
    other types -#}
{% macro contract_type_bound(type_name) -%}
    {%- set base = type_name.split('(')[0] | trim -%}
    {%- set integer_bits = {'TINYINT': 8, 'SMALLINT': 16, 'INTEGER': 32, 'INT': 32, 'BIGINT': 64} -%}
    {%- if base in integer_bits -%}
        {%- set largest = 2 ** (integer_bits[base] - 1) -%}
        {{ return({'type': type_name, 'low': (-largest) | string, 'high': (largest - 1) | string}) }}
    {%- elif base in ['DECIMAL', 'NUMERIC'] and '(' in type_name -%}
        {%- set digits = type_name.split('(')[1].rstrip(')').split(',') -%}
        {%- set precision, scale = digits[0] | int, (digits[1] | int if digits | length > 1 else 0) -%}
        {%- set high = '9' * (precision - scale) ~ ('.' ~ '9' * scale if scale > 0 else '') -%}
        {{ return({'type': type_name, 'low': '-' ~ high, 'high': high}) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{#- A date written as a timestamp is read at midnight; any other time is either a time of day the
    contract does not carry or a date already shifted by a time-zone conversion upstream, which
    cannot be told apart, so such a file is refused rather than cut to its date. -#}
{% macro preflight_timestamps_at_midnight(timestamp_columns, refusal) -%}
    {%- for file, column_name, actual_type in timestamp_columns -%}
        {%- set checked = run_query('select count(*), min(' ~ column_name ~ ')::varchar from read_parquet('
            ~ "'" ~ file | replace("'", "''") ~ "', hive_partitioning = false) where "
            ~ column_name ~ " <> date_trunc('day', " ~ column_name ~ ')').rows[0] -%}
        {%- if checked[0] > 0 -%}
            {{ refuse_extract(refusal ~ 'file ' ~ file ~ ', column ' ~ column_name ~ ' has type '
                ~ actual_type ~ ' with ' ~ checked[0] ~ ' value(s) not at midnight (first: '
                ~ checked[1] ~ '); the contract wants DATE. Check timestamp_not_at_midnight: '
                ~ 'a time of day, or a date shifted by a time-zone conversion. Fix: write the '
                ~ 'column as a Parquet DATE (Arrow date32)') }}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}

{#- A floating-point column delivered for an integer or DECIMAL contract column may hold NaN or
    infinity, which the footer statistics leave out and no cast accepts; the values are read as
    text because DuckDB folds isnan() away from those statistics. -#}
{% macro preflight_finite_values(float_columns, refusal) -%}
    {%- for file, column_name, actual_type, expected_type in float_columns -%}
        {%- set checked = run_query('select count(*) from read_parquet('
            ~ "'" ~ file | replace("'", "''") ~ "', hive_partitioning = false) where lower(cast("
            ~ column_name ~ " as varchar)) in ('nan', '-nan', 'inf', '-inf', 'infinity', '-infinity')"
        ).rows[0] -%}
        {%- if checked[0] > 0 -%}
            {{ refuse_extract(refusal ~ 'file ' ~ file ~ ', column ' ~ column_name ~ ' has type '
                ~ actual_type ~ ' with ' ~ checked[0] ~ ' value(s) NaN or infinite; the contract '
                ~ 'wants ' ~ expected_type ~ '. Check value_not_finite: no such value can be '
                ~ 'loaded; fix the value in the delivery') }}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}

{% macro raw_type_family(type_name, contract=false) -%}
    {%- set t = (type_name or '') | upper | trim -%}
    {%- set base = t.split('(')[0] | trim -%}
    {%- set integers = ['TINYINT', 'SMALLINT', 'INTEGER', 'INT', 'BIGINT', 'HUGEINT', 'UTINYINT',
        'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT'] -%}
    {%- set decimals = ['DECIMAL', 'NUMERIC', 'DOUBLE', 'FLOAT', 'REAL'] -%}
    {%- if base in ['VARCHAR', 'TEXT', 'STRING'] -%}
        {%- set families = ['string'] -%}
    {%- elif base in integers -%}
        {%- set families = ['integer', 'numeric'] -%}
    {%- elif base in decimals -%}
        {%- set families = ['numeric'] -%}
    {%- elif base == 'DATE' or base.startswith('TIMESTAMP') -%}
        {%- set families = ['date'] -%}
    {%- elif base in ['BOOLEAN', 'BOOL'] -%}
        {%- set families = ['boolean'] -%}
    {%- else -%}
        {%- set families = [] -%}
    {%- endif -%}
    {%- if contract -%}
        {%- if families | length == 0 -%}
            {{ exceptions.raise_compiler_error('raw_type_family: the source contract type ' ~ t
                ~ ' has no type family') }}
        {%- endif -%}
        {{ return(families[0]) }}
    {%- endif -%}
    {{ return(families) }}
{%- endmacro %}
