{% macro mh_care_figure_1_category(ambulatory, psychotropic, acute_rehab) -%}
    case
        when {{ ambulatory }} and {{ psychotropic }} then 'psychotropics_with_ambulatory'
        when {{ ambulatory }} then 'ambulatory_without_psychotropics'
        when {{ acute_rehab }} then 'acute_rehab_without_ambulatory'
        when {{ psychotropic }} then 'psychotropics_only'
    end
{%- endmacro %}

{% macro mh_care_figure_2_category(psychiatrist, conventioned, av) -%}
    case
        when {{ psychiatrist }} and ({{ conventioned }} or {{ av }})
            then 'psychiatrist_and_psychologist'
        when {{ psychiatrist }} then 'psychiatrist_only'
        when {{ conventioned }} then 'psychologist_conventioned_only'
        when {{ av }} then 'psychologist_av_only'
    end
{%- endmacro %}

{% macro elp_function_pattern(has_support, has_treatment) -%}
    case
        when {{ has_support }} and {{ has_treatment }} then 'both'
        when {{ has_support }} then 'support'
        when {{ has_treatment }} then 'treatment'
        else 'other'
    end
{%- endmacro %}

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

{% macro elp_service_condition(care_type='care_type') -%}
    {{ care_type }} in ('elp_session', 'elp_trajectory_service')
{%- endmacro %}
