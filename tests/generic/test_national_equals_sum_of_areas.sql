{% test national_equals_sum_of_areas(model, value_column, area_column, group_by, national_code='belgium', tolerance=0.000001) %}
    {%- set key = group_by | join(', ') %}
    with

    totals as (
        select
            {{ key }},
            sum(case when {{ area_column }} = '{{ national_code }}' then {{ value_column }} end)
                as national_value,
            sum(case when {{ area_column }} <> '{{ national_code }}' then {{ value_column }} end)
                as areas_value
        from {{ model }}
        group by {{ key }}
    )

    select *
    from totals
    where
        (national_value is null) <> (areas_value is null)
        or abs(national_value - areas_value) > {{ tolerance }} * greatest(abs(national_value), 1)
{% endtest %}
