{% macro claims_netting_group() -%}
    {{ return(['member_id', 'provider_id', 'nomenclature_code', 'service_date']) }}
{%- endmacro %}

{% macro same_claims_netting_group(left, right) -%}
    {%- for column in elp_warehouse.claims_netting_group() %}
    {% if not loop.first %}and {% endif %}{{ left }}.{{ column }}
    {{- ' is not distinct from ' if column == 'provider_id' else ' = ' -}}
    {{ right }}.{{ column }}
    {%- endfor %}
{%- endmacro %}
