{#- The marts carry labels in the three languages of the labels seed and the report. -#}
{% test labels_present(model, code_columns, label_prefix='label_') %}
    {%- set codes = code_columns | join(', ') %}
    select distinct {{ codes }}
    from {{ model }}
    where
        {% for code in code_columns -%}
            {{ code }} is not null and
        {% endfor -%}
        (
            {%- for language in ['nl', 'fr', 'en'] %}
                {{ 'or ' if not loop.first }}{{ label_prefix ~ language }} is null
            {%- endfor %}
        )
{% endtest %}
