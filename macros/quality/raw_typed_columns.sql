{% macro raw_typed_columns(table_name) %}
    {%- set string = dbt.type_string() -%}
    {%- set int = dbt.type_int() -%}
    {%- set boolean = dbt.type_boolean() -%}
    {%- set types = {
        'members_yearly': {
            'member_id': string, 'year': int, 'birth_year': int, 'sex': string,
            'nis_municipality': string, 'vt': boolean, 'insurability_code': string,
            'affiliated_days': int, 'unemployment_days': int, 'primary_incapacity_days': int,
            'invalidity_days': int, 'social_assistance': boolean, 'detained': boolean,
            'placed_child': boolean,
        },
        'affiliation_periods': {'member_id': string, 'start_date': 'date', 'end_date': 'date'},
    } -%}
    {%- if table_name not in types -%}
        {{ exceptions.raise_compiler_error('raw_typed_columns: no types for raw.' ~ table_name) }}
    {%- endif -%}
    {%- set typed = {} -%}
    {%- for column, data_type in types[table_name].items() -%}
        {%- do typed.update({column: 'cast(' ~ column ~ ' as ' ~ data_type ~ ')'}) -%}
    {%- endfor -%}
    {{ return(typed) }}
{% endmacro %}

{% macro typed_select_list(typed_columns) -%}
    {%- set items = [] -%}
    {%- for column, expression in typed_columns.items() -%}
        {%- do items.append(expression ~ ' as ' ~ column) -%}
    {%- endfor -%}
    {{ items | join(',\n') }}
{%- endmacro %}
