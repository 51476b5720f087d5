{#- How the engine should run a CTE:
      'inline'       streamed into each consumer; for the wide per-row CTEs of the base models,
                     which DuckDB otherwise copies to disk when more than one consumer reads
                     them (measured at national scale: four copies of 47.5 M rows cost about
                     two thirds of base_pharmacy_dispensings' time, see docs/benchmark.md);
      'materialize'  computed once; for the small results (repeated keys, corrected groups)
                     that several consumers read.
    Engine-specific, hence dispatched: Spark decides by itself and gets nothing. -#}
{% macro cte_hint(kind) -%}
    {{ return(adapter.dispatch('cte_hint', 'elp_warehouse')(kind)) }}
{%- endmacro %}

{% macro default__cte_hint(kind) -%}
{%- endmacro %}

{% macro duckdb__cte_hint(kind) -%}
    {%- if kind == 'inline' -%}
        not materialized
    {%- elif kind == 'materialize' -%}
        materialized
    {%- else -%}
        {{ exceptions.raise_compiler_error("cte_hint: kind must be 'inline' or 'materialize', got " ~ kind) }}
    {%- endif -%}
{%- endmacro %}
