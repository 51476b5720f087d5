{#- The claims' netting group: the lines of one member, provider, nomenclature code and
    service date are one act of care, its corrections included. base_claims finds corrected
    and cancelled groups by it, stg_claims nets by it: one definition, so the two agree.
    provider_id may be null; such lines still form one group. -#}
{% macro claims_netting_group() -%}
    {{ return(['member_id', 'provider_id', 'nomenclature_code', 'service_date']) }}
{%- endmacro %}

{#- Join condition: rows `left` and `right` (aliases) are in the same claims netting group
    (null-safe on provider_id, the only column of the group that may be null). -#}
{% macro same_claims_netting_group(left, right) -%}
    {%- for column in elp_warehouse.claims_netting_group() %}
    {% if not loop.first %}and {% endif %}{{ left }}.{{ column }}
    {{- ' is not distinct from ' if column == 'provider_id' else ' = ' -}}
    {{ right }}.{{ column }}
    {%- endfor %}
{%- endmacro %}
