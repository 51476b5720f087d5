{{ config(materialized='table') }}
-- Raw affiliation_periods read once: typed, with `rejection_rule` = the first contract rule the
-- spell breaks (null = valid). An open spell (end_date null) runs to the extraction date when
-- overlaps are checked. Rules live in macro rejection_rules.
{%- set extraction_date = extraction_date_literal() %}
{%- set typed_columns = raw_typed_columns('affiliation_periods') %}
{%- set row_columns = typed_columns.keys() | list %}
with

raw_rows as {{ cte_hint('inline') }} (
    select
        {{ typed_select_list(typed_columns) | indent(8) }}
    from {{ source('raw', 'affiliation_periods') }}
),

row_checked as {{ cte_hint('inline') }} (
    select
        *,
        {{ first_broken_row_rule('affiliation_periods', ref('base_known_members')) }} as row_rule
    from raw_rows
),

{{ duplicate_checked_cte(
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

select * from checked_spells
