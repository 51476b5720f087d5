{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ elp_warehouse.rebuild_delete() }}",
    post_hook="{{ elp_warehouse.replaced_rows_delete([elp_warehouse.snapshot_member()]) }}",
) }}
-- Raw affiliation_periods read once: typed, with `rejection_rule` = the first contract rule the
-- spell breaks (null = valid). An open spell (end_date null) runs to the extraction date when
-- overlaps are checked. Rules live in macro rejection_rules. Incremental by member: only the
-- members whose spells changed, or whose verdict depends on the extraction date, are rebuilt
-- (macros/incremental/member_snapshot_increment.sql).
{%- set extraction_date = "cast('" ~ var('extraction_date') ~ "' as date)" %}
{%- set typed_columns = elp_warehouse.raw_typed_columns('affiliation_periods') %}
{%- set row_columns = typed_columns.keys() | list %}
{%- set plan = elp_warehouse.snapshot_increment_plan('affiliation_periods', typed_columns) %}
with

{{ elp_warehouse.snapshot_increment_ctes(
    'affiliation_periods', typed_columns, plan,
    dated_rows="start_date > " ~ extraction_date ~ " or rejection_rule = 'start_after_extraction'"
) }},

row_checked as {{ elp_warehouse.cte_hint('inline') }} (
    select
        *,
        {{ elp_warehouse.first_broken_row_rule('affiliation_periods') }} as row_rule
    from raw_rows
),

{{ elp_warehouse.duplicate_checked_cte(
    'row_checked', key_columns=['member_id', 'start_date'], row_columns=row_columns
) }},

valid_spells_ordered as (
    select
        *,
        coalesce(end_date, {{ extraction_date }}) as end_date_effective,
        max(coalesce(end_date, {{ extraction_date }})) over (
            partition by member_id order by start_date, end_date
            rows between unbounded preceding and 1 preceding
        ) as latest_earlier_end,
        min(start_date) over (
            partition by member_id order by start_date, end_date
            rows between 1 following and unbounded following
        ) as earliest_later_start
    from duplicate_checked
    where rejection_rule is null
),

overlap_checked as (
    select
        member_id,
        start_date,
        end_date,
        case
            when
                latest_earlier_end >= start_date
                or earliest_later_start <= end_date_effective
                then 'overlapping_spell'
        end as rejection_rule
    from valid_spells_ordered
),

checked_spells as (
    select
        member_id,
        start_date,
        end_date,
        rejection_rule
    from duplicate_checked
    where rejection_rule is not null

    union all

    select
        member_id,
        start_date,
        end_date,
        rejection_rule
    from overlap_checked
)

select
    *,
    {{ elp_warehouse.load_timestamp() }} as loaded_at
from checked_spells
