{{ config(materialized='table') }}
-- Valid affiliation spells with touching spells (end + 1 day = next start) merged into one.
-- An open spell keeps end_date null here; stg_affiliation_periods adds its effective end, the
-- extraction date. A valid spell never follows an open one (it would start after the
-- extraction date or overlap it), so touching is decided on the closed spells' end_date alone.
with

valid_spells as (
    select
        member_id,
        start_date,
        end_date
    from {{ ref('base_affiliation_periods') }}
    where
        rejection_rule is null
),

spells_with_previous_end as (
    select
        *,
        lag(end_date) over (partition by member_id order by start_date) as previous_end
    from valid_spells
),

spells_numbered as (
    select
        *,
        sum(
            case
                when
                    previous_end is not null
                    and {{ dbt.dateadd('day', 1, 'previous_end') }} = start_date
                    then 0
                else 1
            end
        ) over (
            partition by member_id order by start_date rows between unbounded preceding and current row
        ) as merged_spell_number
    from spells_with_previous_end
),

merged_spells as (
    select
        member_id,
        merged_spell_number,
        min(start_date) as start_date,
        max(end_date) as latest_end_date,
        max(case when end_date is null then 1 else 0 end) as is_open
    from spells_numbered
    group by member_id, merged_spell_number
)

select
    member_id,
    start_date,
    case when is_open = 1 then null else latest_end_date end as end_date
from merged_spells
