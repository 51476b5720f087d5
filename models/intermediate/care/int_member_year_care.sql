{{ config(materialized='table') }}
-- Care flags per member and calendar year, from the one event stream. ELP use is "at least
-- one ELP service in the calendar year" (methods 5): sessions and trajectory services both
-- count as use; sessions alone are counted for the 12-month trajectories.
select
    member_id,
    year,
    {{ dbt.bool_or(elp_service_condition()) }}
        as has_elp,
    sum(case when {{ elp_service_condition() }} then quantity else 0 end)
        as elp_services,
    sum(case when care_type = 'elp_session' then quantity else 0 end) as elp_sessions,
    {{ dbt.bool_or("care_type = 'elp_session' and elp_function = 'support'") }}
        as has_elp_support,
    {{ dbt.bool_or("care_type = 'elp_session' and elp_function = 'treatment'") }}
        as has_elp_treatment,
    sum(case when elp_network_type = 'adults' then quantity else 0 end) as elp_adults_services,
    sum(case when elp_network_type = 'children_adolescents' then quantity else 0 end)
        as elp_children_services,
    {{ dbt.bool_or("care_type = 'elp_session' and elp_setting = 'office'") }}
        as has_elp_office,
    {{ dbt.bool_or("care_type = 'elp_session' and elp_setting = 'outreach'") }}
        as has_elp_outreach,
    {{ dbt.bool_or("care_type = 'elp_session' and elp_setting = 'group'") }}
        as has_elp_group,
    {{ dbt.bool_or("care_type = 'elp_session' and elp_setting = 'home'") }}
        as has_elp_home,
    {{ dbt.bool_or("care_type = 'elp_session' and elp_setting = 'remote'") }}
        as has_elp_remote,
    {{ dbt.bool_or("care_type = 'psychiatrist_ambulatory'") }} as has_psychiatrist,
    {{ dbt.bool_or("care_type = 'av_psychologist'") }} as has_av_psychologist,
    {{ dbt.bool_or("care_type = 'psychotropic'") }} as has_psychotropic,
    {{ dbt.bool_or("care_type = 'psychotropic' and atc_class = 'antidepressant'") }}
        as has_antidepressant,
    {{ dbt.bool_or("care_type = 'psychotropic' and atc_class = 'antipsychotic'") }}
        as has_antipsychotic,
    {{ dbt.bool_or("care_type = 'acute_psychiatric'") }} as has_acute,
    {{ dbt.bool_or("care_type = 'rehab_residential'") }} as has_rehab_residential
from {{ ref('int_care_events') }}
group by member_id, year
