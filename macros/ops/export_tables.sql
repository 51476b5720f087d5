{#- The built tables that `elp publish` reads (src/elp_warehouse/spark_engine.py), written as
    Parquet for engines whose tables do not live in elp.duckdb: every table of schema `marts`
    and the seed `labels`, one folder per table under <ELP_WAREHOUSE_DIR>/spark-export/<schema>/.
    On DuckDB it does nothing: the publish reads the working database itself. Run at the end
    of a build or run that built every mart without error (on-run-end), so that a failed build
    never leaves a half-new export beside the old one. -#}
{% macro export_tables(results) -%}
    {%- if not execute or flags.WHICH not in ['build', 'run'] -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(adapter.dispatch('export_tables', 'elp_warehouse')(results)) }}
{%- endmacro %}

{% macro default__export_tables(results) -%}
    {{ return('') }}
{%- endmacro %}

{% macro export_dir() -%}
    {{ return(env_var('ELP_WAREHOUSE_DIR', 'warehouse').rstrip('/') ~ '/spark-export') }}
{%- endmacro %}

{% macro spark__export_tables(results) -%}
    {%- for result in results if result.status in ['error', 'fail', 'runtime error'] -%}
        {%- do log('Export skipped: ' ~ result.node.name ~ ' did not build', info=true) -%}
        {{ return('') }}
    {%- endfor -%}
    {%- set tables = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if (node.resource_type == 'model' and node.schema == 'marts'
                and node.config.materialized == 'table' and node.config.enabled)
            or (node.resource_type == 'seed' and node.name == 'labels') -%}
            {%- do tables.append(node) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for node in tables | sort(attribute='name') -%}
        {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- if relation is not none -%}
            {%- set folder = (export_dir() ~ '/' ~ node.schema ~ '/' ~ node.alias) | replace("'", "\\'") -%}
            {#- one file per table: the marts are small, and a reader then sees one part -#}
            {%- do run_query("insert overwrite directory '" ~ folder ~ "' using parquet select /*+ coalesce(1) */ * from " ~ relation) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do log('Exported ' ~ tables | length ~ ' tables as Parquet to ' ~ export_dir(), info=true) -%}
    {{ return('') }}
{%- endmacro %}
