{#- member_id as shown in a quarantine model: a value that looks like a national register
    number is never copied further (the source contract forbids it anywhere in the warehouse). -#}
{% macro redacted_member_id(col='member_id') -%}
    case when rejection_rule = 'member_id_looks_like_niss' then null else {{ col }} end
{%- endmacro %}
