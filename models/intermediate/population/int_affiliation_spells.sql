-- Affiliation spells: touching periods (end + 1 day = next start) merged into one, with the
-- effective end of an open spell, the extraction date. A valid period never follows an open
-- one (it would start after the extraction date or overlap it), so touching is decided on the
-- closed periods' end_date alone.
{%- set extraction_date = extraction_date_literal() %}
with

periods_with_previous_end as (
    select
        member_id,
        start_date,
        end_date,
        lag(end_date) over (partition by member_id order by start_date) as previous_end
    from {{ ref('stg_affiliation_periods') }}
),

periods_numbered as (
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
        ) as spell_number
    from periods_with_previous_end
),

spells as (
    select
        member_id,
        min(start_date) as start_date,
        max(end_date) as latest_end_date,
        {{ dbt.bool_or('end_date is null') }} as is_open
    from periods_numbered
    group by member_id, spell_number
)

select
    member_id,
    start_date,
    case when not is_open then latest_end_date end as end_date,
    case when is_open then {{ extraction_date }} else latest_end_date end as end_date_effective
from spells
