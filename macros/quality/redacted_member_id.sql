{% macro redacted_member_id(col='member_id') -%}
    case when rejection_rule = 'member_id_looks_like_niss' then null else {{ col }} end
{%- endmacro %}
