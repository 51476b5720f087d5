{#- The care measures of a member-year, each (name, aggregate, expression over int_care_events
    rows): the single definition used by int_member_year_source_care, which aggregates them per
    member, year and source, and by int_member_year_care, which combines those partials per
    member and year (a max of maxima, a sum of sums). ELP use is "at least one ELP service in
    the calendar year" (methods 5): sessions and trajectory services both count as use; sessions
    alone are counted for the 12-month trajectories. -#}
{% macro member_year_care_measures() -%}
    {%- set elp = "care_type in ('elp_session', 'elp_trajectory_service')" -%}
    {%- set session = "care_type = 'elp_session'" -%}
    {{ return([
        ('has_elp', 'max', 'case when ' ~ elp ~ ' then 1 else 0 end'),
        ('elp_services', 'sum', 'case when ' ~ elp ~ ' then quantity else 0 end'),
        ('elp_sessions', 'sum', 'case when ' ~ session ~ ' then quantity else 0 end'),
        ('has_elp_support', 'max', 'case when ' ~ session ~ " and elp_function = 'support' then 1 else 0 end"),
        ('has_elp_treatment', 'max', 'case when ' ~ session ~ " and elp_function = 'treatment' then 1 else 0 end"),
        ('elp_adults_services', 'sum', "case when elp_network_type = 'adults' then quantity else 0 end"),
        ('elp_children_services', 'sum', "case when elp_network_type = 'children_adolescents' then quantity else 0 end"),
        ('has_elp_office', 'max', 'case when ' ~ session ~ " and elp_setting = 'office' then 1 else 0 end"),
        ('has_elp_outreach', 'max', 'case when ' ~ session ~ " and elp_setting = 'outreach' then 1 else 0 end"),
        ('has_elp_group', 'max', 'case when ' ~ session ~ " and elp_setting = 'group' then 1 else 0 end"),
        ('has_elp_home', 'max', 'case when ' ~ session ~ " and elp_setting = 'home' then 1 else 0 end"),
        ('has_elp_remote', 'max', 'case when ' ~ session ~ " and elp_setting = 'remote' then 1 else 0 end"),
        ('has_psychiatrist', 'max', "case when care_type = 'psychiatrist_ambulatory' then 1 else 0 end"),
        ('has_av_psychologist', 'max', "case when care_type = 'av_psychologist' then 1 else 0 end"),
        ('has_psychotropic', 'max', "case when care_type = 'psychotropic' then 1 else 0 end"),
        ('has_antidepressant', 'max', "case when care_type = 'psychotropic' and atc_class = 'antidepressant' then 1 else 0 end"),
        ('has_antipsychotic', 'max', "case when care_type = 'psychotropic' and atc_class = 'antipsychotic' then 1 else 0 end"),
        ('has_acute', 'max', "case when care_type = 'acute_psychiatric' then 1 else 0 end"),
        ('has_rehab_residential', 'max', "case when care_type = 'rehab_residential' then 1 else 0 end"),
    ]) }}
{%- endmacro %}
