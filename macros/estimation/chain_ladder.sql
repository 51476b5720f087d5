{% macro month_index(date_expr) -%}
    {#- Months since year 0 (January 2024 = 24288): delays and as-of cuts are whole-month
        differences, computed the same way on every engine. -#}
    cast(extract(year from {{ date_expr }}) * 12 + extract(month from {{ date_expr }}) - 1
        as {{ dbt.type_int() }})
{%- endmacro %}

{% macro month_start_of_index(index) -%}
    {#- The first day of the month with index `index` (a Jinja integer): a date literal. -#}
    {{ return("cast('%04d-%02d-01' as date)" % (index // 12, index % 12 + 1)) }}
{%- endmacro %}

{% macro month_end_of_index(index) -%}
    {%- set year = index // 12 -%}
    {%- set month = index % 12 + 1 -%}
    {%- set leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 -%}
    {%- set days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] -%}
    {{ return("cast('%04d-%02d-%02d' as date)" % (year, month, days)) }}
{%- endmacro %}

{% macro date_var_month_index(var_name) -%}
    {%- set text = strict_date_var(var_name) -%}
    {{ return((text[0:4] | int) * 12 + (text[5:7] | int) - 1) }}
{%- endmacro %}

{% macro nowcast_as_of_index() -%}
    {#- Month index of the published nowcast's as-of month end (var nowcast_as_of; see
        dbt_project.yml for the empty default). A given date must be a month end: the triangle
        cuts bookings by whole months. -#}
    {%- set text = var('nowcast_as_of') | string -%}
    {%- if text | trim == '' -%}
        {%- set extraction = strict_date_var('extraction_date') -%}
        {%- set e_index = date_var_month_index('extraction_date') -%}
        {%- set index = e_index if month_end_of_index(e_index) == "cast('" ~ extraction ~ "' as date)"
            else e_index - 1 -%}
        {%- set last_index = strict_int_var('last_year') * 12 + 11 -%}
        {%- if index > last_index -%}
            {%- set index = strict_int_var('last_year') * 12 + 5 -%}
        {%- endif -%}
        {{ return(index) }}
    {%- endif -%}
    {%- set index = date_var_month_index('nowcast_as_of') -%}
    {%- if month_end_of_index(index) != "cast('" ~ strict_date_var('nowcast_as_of') ~ "' as date)" -%}
        {{ exceptions.raise_compiler_error(
            "var nowcast_as_of must be the last day of a month, got '" ~ text ~ "'") }}
    {%- endif -%}
    {%- if index > date_var_month_index('extraction_date') -%}
        {{ exceptions.raise_compiler_error(
            "var nowcast_as_of (" ~ text ~ ") lies after the extraction date") }}
    {%- endif -%}
    {{ return(index) }}
{%- endmacro %}

{% macro integer_series(low, high, name='n') -%}
    {#- The integers low..high as a one-column query (portable: no generate_series). -#}
    {%- for i in range(low, high + 1) %}
    select {{ i }} as {{ name }}{% if not loop.last %} union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{% macro t_quantile_975(df) -%}
    {#- Student's t 97.5 % quantile for `df` degrees of freedom (a Jinja integer); the normal
        quantile beyond 30. Values from any t table (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2). -#}
    {%- set table = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365,
        8: 2.306, 9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131,
        16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074,
        23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045,
        30: 2.042} -%}
    {%- if df < 1 -%}
        {{ exceptions.raise_compiler_error("t_quantile_975 needs at least one degree of freedom") }}
    {%- endif -%}
    {{ return(table.get(df, 1.96)) }}
{%- endmacro %}

{% macro month_index_dates(low, high) -%}
    {#- (month_index, month_start, month_end) for the month indices low..high, as literals. -#}
    {%- for i in range(low, high + 1) %}
    select
        {{ i }} as month_index,
        {{ month_start_of_index(i) }} as month_start,
        {{ month_end_of_index(i) }} as month_end
    {%- if not loop.last %}
    union all{% endif %}
    {%- endfor %}
{%- endmacro %}
