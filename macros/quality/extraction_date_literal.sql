{% macro extraction_date_literal() -%}
    {{ return("cast('" ~ strict_date_var('extraction_date') ~ "' as date)") }}
{%- endmacro %}

{% macro strict_date_var(var_name) %}
    {#- A date var is pasted into SQL: only a real calendar date written YYYY-MM-DD gets through,
        so a quote, a space or a second statement can never reach the compiled SQL. A YAML
        date given in --vars renders as YYYY-MM-DD too. -#}
    {%- set text = var(var_name) | string -%}
    {%- set parts = modules.re.fullmatch('([0-9]{4})-([0-9]{2})-([0-9]{2})', text) -%}
    {%- set valid = false -%}
    {%- if parts -%}
        {%- set year = parts.group(1) | int -%}
        {%- set month = parts.group(2) | int -%}
        {%- set day = parts.group(3) | int -%}
        {%- set leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 -%}
        {%- set month_days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
        {%- set valid = 1 <= month <= 12 and 1 <= day <= month_days[month - 1] -%}
    {%- endif -%}
    {%- if not valid -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ var_name ~ " must be a calendar date written YYYY-MM-DD, got '" ~ text ~ "'"
        ) }}
    {%- endif -%}
    {{ return(text) }}
{% endmacro %}

{% macro strict_int_var(var_name) %}
    {%- set text = var(var_name) | string -%}
    {%- if not modules.re.fullmatch('[0-9]{1,4}', text) -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ var_name ~ " must be a whole number (0..9999), got '" ~ text ~ "'"
        ) }}
    {%- endif -%}
    {{ return(text | int) }}
{% endmacro %}

{% macro history_start_literal() -%}
    {#- The earliest date a model reads: the first analysis year minus the longest look-back (the
        prior-care window, and the gap that decides whether a session starts a trajectory). -#}
    {%- set months_back = [strict_int_var('prior_care_months'), strict_int_var('trajectory_gap_months')]
        | max -%}
    {%- set month_index = strict_int_var('first_year') * 12 - months_back -%}
    {{ return("cast('%04d-%02d-01' as date)" % (month_index // 12, month_index % 12 + 1)) }}
{%- endmacro %}
