{#- The sources of int_care_events, by `source_table`: each one's staging table and its base
    table (a member whose lines all netted away has no staging row left, but their cancelled
    lines are in the base table). Read by the model and by its pre-hook, which are rendered
    apart. -#}
{% macro care_event_upstreams() -%}
    {{ return({
        'claims': [ref('stg_claims'), ref('base_claims')],
        'pharmacy_dispensings': [ref('stg_pharmacy_dispensings'), ref('base_pharmacy_dispensings')],
        'complementary_refunds': [ref('stg_complementary_refunds'), ref('base_complementary_refunds')],
    }) }}
{%- endmacro %}

{#- The upstreams whose changed members int_member_year_care rebuilds: int_care_events and the
    base tables of its sources (the members whose events all vanished). -#}
{% macro member_year_care_upstreams() -%}
    {%- set upstreams = [ref('int_care_events')] -%}
    {%- for source_upstreams in elp_warehouse.care_event_upstreams().values() -%}
        {%- do upstreams.append(source_upstreams[-1]) -%}
    {%- endfor -%}
    {{ return(upstreams) }}
{%- endmacro %}
