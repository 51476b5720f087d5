-- Freshness of the extract: per raw event table, the newest booking date against the run
-- date (var run_date; empty = extraction_date, so a build of an archived extract checks
-- that its bookings reach its own cut-off). A plain model with two tests (warn, error) in
-- _ops__models.yml: `elp nightly` builds it first and stops on error, and the run log reads
-- the outcome from this table.
{%- set reference_var = 'run_date' if var('run_date', '') | string | trim else 'extraction_date' %}
{%- set reference = strict_date_var(reference_var) %}
with

latest_bookings as (
    select
        'claims' as source,
        max(cast(booking_date as date)) as latest_booking_date
    from {{ source('raw', 'claims') }}
    union all
    select
        'pharmacy_dispensings' as source,
        max(cast(booking_date as date)) as latest_booking_date
    from {{ source('raw', 'pharmacy_dispensings') }}
    union all
    select
        'complementary_refunds' as source,
        max(cast(booking_date as date)) as latest_booking_date
    from {{ source('raw', 'complementary_refunds') }}
),

aged as (
    select
        source,
        latest_booking_date,
        cast('{{ reference }}' as date) as reference_date,
        {{ dbt.datediff('latest_booking_date', "cast('" ~ reference ~ "' as date)", 'day') }}
            as age_days
    from latest_bookings
)

select
    source,
    latest_booking_date,
    reference_date,
    age_days,
    case
        when latest_booking_date is null then 'error'
        when age_days > {{ var('freshness_error_after_days') }} then 'error'
        when age_days > {{ var('freshness_warn_after_days') }} then 'warn'
        else 'pass'
    end as freshness_status
from aged
