{#- dbt's freshness query (`dbt source freshness`), with the reference time taken from var
    run_date when it is set, so that freshness can be checked as of a given day (a replayed
    night, a test, or the synthetic extract, whose bookings end on 2025-06-23); empty = now.
    Overrides dbt's default__collect_freshness for every adapter; portable SQL. -#}
{% macro default__collect_freshness(source, loaded_at_field, filter) %}
    {%- set run_date = var('run_date', '') | string | trim -%}
    {% call statement('collect_freshness', fetch_result=True, auto_begin=False) -%}
        select
            max({{ loaded_at_field }}) as max_loaded_at,
            {%- if run_date %}
            cast('{{ run_date }}' as {{ dbt.type_timestamp() }}) as snapshotted_at
            {%- else %}
            {{ dbt.current_timestamp() }} as snapshotted_at
            {%- endif %}
        from {{ source }}
        {%- if filter %}
        where {{ filter }}
        {%- endif %}
    {%- endcall %}
    {{ return(load_result('collect_freshness')) }}
{% endmacro %}
