{#- The seeds' column_types (seeds/**/_*__seeds.yml) are written in DuckDB's type names.
    Spark has no `varchar` without a length (its text type is `string`), so on Spark the seed
    materialization reads them through spark_type_name before dbt-spark's own macros create
    and fill the table. -#}
{% macro spark_type_name(type_name) -%}
    {%- set lowered = type_name | lower | trim -%}
    {%- if lowered in ['varchar', 'text'] -%}
        {{ return(dbt.type_string()) }}
    {%- endif -%}
    {{ return(type_name) }}
{%- endmacro %}

{% macro spark_seed_column_types(model) -%}
    {%- set column_types = model['config'].get('column_types') or {} -%}
    {%- for column, type_name in column_types.items() -%}
        {%- do column_types.update({column: spark_type_name(type_name)}) -%}
    {%- endfor -%}
{%- endmacro %}

{% macro spark__create_csv_table(model, agate_table) -%}
    {%- do spark_seed_column_types(model) -%}
    {{ return(dbt.spark__create_csv_table(model, agate_table)) }}
{%- endmacro %}

{#- Not dbt-spark's own: with the session method it binds each value as '<value>' without
    escaping, so a label with an apostrophe (Groupe d'âge) breaks the insert and an empty cell
    becomes the text 'None'. Values are written as escaped literals instead; Spark reads a
    backslash escape in a string literal (two adjacent quotes would be two literals joined). -#}
{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- do spark_seed_column_types(model) -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set rows = [] -%}
        {%- for row in chunk -%}
            {%- set values = [] -%}
            {%- for value in row -%}
                {%- do values.append('cast(' ~ spark_seed_literal(value) ~ ' as ' ~ types[loop.index0] ~ ')') -%}
            {%- endfor -%}
            {%- do rows.append('(' ~ values | join(', ') ~ ')') -%}
        {%- endfor -%}
        {%- set sql = 'insert into ' ~ this.render() ~ ' values ' ~ rows | join(', ') -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- do statements.append(sql) -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{%- endmacro %}

{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        {{ return('null') }}
    {%- elif value is boolean -%}
        {{ return('true' if value else 'false') }}
    {%- endif -%}
    {{ return("'" ~ (value | string | replace('\\', '\\\\') | replace("'", "\\'")) ~ "'") }}
{%- endmacro %}

{#- The marts' enforced contracts declare DuckDB type names too (models/marts/**/_*__models.yml):
    dbt checks a contract by selecting `cast(null as <data_type>)` per column, which Spark
    refuses for `varchar`. The declared types go through spark_type_name first. -#}
{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set spark_columns = {} -%}
    {%- for name, column in columns.items() -%}
        {%- set spark_column = {} -%}
        {%- do spark_column.update(column) -%}
        {%- if column.get('data_type') -%}
            {%- do spark_column.update({'data_type': spark_type_name(column['data_type'])}) -%}
        {%- endif -%}
        {%- do spark_columns.update({name: spark_column}) -%}
    {%- endfor -%}
    {{ return(dbt.default__get_empty_schema_sql(spark_columns)) }}
{%- endmacro %}
