-- Nothing read disappears silently: per raw table, the rows mart_data_quality reports as read
-- are the valid lines (staging) plus the quarantined ones, and its rejected count is the
-- quarantine's.
{%- set tables = [
    'claims', 'pharmacy_dispensings', 'complementary_refunds', 'members_yearly',
    'affiliation_periods',
] %}
with

counted as (
    {%- for table_name in tables %}
    select
        '{{ table_name }}' as source,
        (select count(*) from {{ ref('stg_' ~ table_name) }}) as valid_rows,
        (select count(*) from {{ ref('quarantine_' ~ table_name) }}) as quarantined_rows
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    counted.source,
    counted.valid_rows,
    counted.quarantined_rows,
    quality.rows_read,
    quality.rows_rejected
from counted
left join {{ ref('mart_data_quality') }} as quality
    on
        counted.source = quality.source
        and quality.rule = 'all_rules'
where
    quality.source is null
    or quality.rows_read <> counted.valid_rows + counted.quarantined_rows
    or quality.rows_rejected <> counted.quarantined_rows
