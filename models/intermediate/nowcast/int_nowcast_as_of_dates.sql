-- The as-of month ends the nowcast is computed at: every month end of the backtest (var
-- nowcast_backtest_start up to `nowcast_final_after_months` before the extraction's month, so
-- that each backtest target has a final value) and the published as-of date (var
-- nowcast_as_of). Generated from the vars, so the list is the same on every engine.
{%- set extraction_index = date_var_month_index('extraction_date') %}
{%- set start_index = date_var_month_index('nowcast_backtest_start') %}
{%- set end_index = extraction_index - strict_int_var('nowcast_final_after_months') %}
{%- set published_index = nowcast_as_of_index() %}
{%- set indices = (range(start_index, end_index + 1) | list + [published_index]) | unique | sort %}
{%- for index in indices %}
    select
        cast({{ index }} as {{ dbt.type_int() }}) as as_of_index,
        {{ month_end_of_index(index) }} as as_of_date,
        {{ 'true' if index == published_index else 'false' }} as is_published,
        {{ 'true' if start_index <= index <= end_index else 'false' }} as in_backtest,
        cast({{ extraction_index }} as {{ dbt.type_int() }}) as extraction_index
    {%- if not loop.last %}
        union all
    {%- endif %}
{%- endfor %}
