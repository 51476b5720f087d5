{#-
    The study's exclusive care categories, one per person-year. Each rule lives here only.

    Figure 1 (section 3.1.1, fn 11-12): ambulatory follow-up (psychiatrist, conventioned ELP
    psychologist or AV-refunded psychologist) wins; it splits by psychotropic use. Without
    ambulatory follow-up, acute / rehabilitation / residential care comes next; then
    psychotropics alone. Arguments are boolean SQL expressions.
-#}
{% macro mh_care_figure_1_category(ambulatory, psychotropic, acute_rehab) -%}
    case
        when {{ ambulatory }} and {{ psychotropic }} then 'psychotropics_with_ambulatory'
        when {{ ambulatory }} then 'ambulatory_without_psychotropics'
        when {{ acute_rehab }} then 'acute_rehab_without_ambulatory'
        when {{ psychotropic }} then 'psychotropics_only'
    end
{%- endmacro %}

{#-
    Figure 2 (section 3.1.2, fn 14), among people with ambulatory follow-up: psychiatrist
    only; psychiatrist and a psychologist; conventioned psychologist without psychiatrist;
    AV psychologist without psychiatrist. A person with both a conventioned session and an AV
    refund in the year counts as conventioned (fn 14).
-#}
{% macro mh_care_figure_2_category(psychiatrist, conventioned, av) -%}
    case
        when {{ psychiatrist }} and ({{ conventioned }} or {{ av }})
            then 'psychiatrist_and_psychologist'
        when {{ psychiatrist }} then 'psychiatrist_only'
        when {{ conventioned }} then 'psychologist_conventioned_only'
        when {{ av }} then 'psychologist_av_only'
    end
{%- endmacro %}

{#-
    Function pattern of an ELP user in a year (Tables 2-3): support only, treatment only, both;
    `other` when the user's services carry neither function (trajectory services only).
-#}
{% macro elp_function_pattern(has_support, has_treatment) -%}
    case
        when {{ has_support }} and {{ has_treatment }} then 'both'
        when {{ has_support }} then 'support'
        when {{ has_treatment }} then 'treatment'
        else 'other'
    end
{%- endmacro %}

{#-
    Exclusive setting pattern of an ELP user in a year (Table 4 "volgens plaats"): the one
    session setting used, `multiple` when sessions took place in several settings, `other`
    when the user had no session in the five settings (trajectory services only). Arguments are
    boolean SQL expressions.
-#}
{% macro elp_setting_pattern(office, outreach, group, home, remote) -%}
    {%- set settings = [office, outreach, group, home, remote] -%}
    case
        when {% for s in settings %}cast({{ s }} as {{ dbt.type_int() }}){{ ' + ' if not loop.last }}{% endfor %} > 1 then 'multiple'
        when {{ office }} then 'office_only'
        when {{ outreach }} then 'outreach_only'
        when {{ group }} then 'group_only'
        when {{ home }} then 'home_only'
        when {{ remote }} then 'remote_only'
        else 'other'
    end
{%- endmacro %}

{#- An event that is an ELP service (a session or a trajectory service): a member with one in
    a year uses ELP that year (methods 5), and one in any year makes an ELP user. -#}
{% macro elp_service_condition(care_type='care_type') -%}
    {{ care_type }} in ('elp_session', 'elp_trajectory_service')
{%- endmacro %}
