{% macro claims_netting_group() -%}
    {{ return(['member_id', 'provider_id', 'nomenclature_code', 'service_date']) }}
{%- endmacro %}
