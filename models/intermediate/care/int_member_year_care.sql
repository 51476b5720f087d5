{{ config(materialized='table') }}
-- Care flags per member and calendar year, from the one event stream. ELP use is "at least
-- one ELP service in the calendar year" (methods 5): sessions and trajectory services both
-- count as use; sessions alone are counted for the 12-month trajectories.
select
    member_id,
    year,
    max(case when {{ elp_warehouse.elp_service_condition() }} then 1 else 0 end)
        as has_elp,
    sum(case when {{ elp_warehouse.elp_service_condition() }} then quantity else 0 end)
        as elp_services,
    sum(case when care_type = 'elp_session' then quantity else 0 end) as elp_sessions,
    max(case when care_type = 'elp_session' and elp_function = 'support' then 1 else 0 end)
        as has_elp_support,
    max(case when care_type = 'elp_session' and elp_function = 'treatment' then 1 else 0 end)
        as has_elp_treatment,
    sum(case when elp_network_type = 'adults' then quantity else 0 end) as elp_adults_services,
    sum(case when elp_network_type = 'children_adolescents' then quantity else 0 end)
        as elp_children_services,
    max(case when care_type = 'elp_session' and elp_setting = 'office' then 1 else 0 end)
        as has_elp_office,
    max(case when care_type = 'elp_session' and elp_setting = 'outreach' then 1 else 0 end)
        as has_elp_outreach,
    max(case when care_type = 'elp_session' and elp_setting = 'group' then 1 else 0 end)
        as has_elp_group,
    max(case when care_type = 'elp_session' and elp_setting = 'home' then 1 else 0 end)
        as has_elp_home,
    max(case when care_type = 'elp_session' and elp_setting = 'remote' then 1 else 0 end)
        as has_elp_remote,
    max(case when care_type = 'psychiatrist_ambulatory' then 1 else 0 end) as has_psychiatrist,
    max(case when care_type = 'av_psychologist' then 1 else 0 end) as has_av_psychologist,
    max(case when care_type = 'psychotropic' then 1 else 0 end) as has_psychotropic,
    max(case when care_type = 'psychotropic' and atc_class = 'antidepressant' then 1 else 0 end)
        as has_antidepressant,
    max(case when care_type = 'psychotropic' and atc_class = 'antipsychotic' then 1 else 0 end)
        as has_antipsychotic,
    max(case when care_type = 'acute_psychiatric' then 1 else 0 end) as has_acute,
    max(case when care_type = 'rehab_residential' then 1 else 0 end) as has_rehab_residential
from {{ ref('int_care_events') }}
group by member_id, year
