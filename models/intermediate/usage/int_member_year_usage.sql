-- Member-years with their study categories of care use, before any aggregation. Rules
-- (category precedence, function and setting patterns, network type) come from
-- macros/care/mh_care_categories.sql so each is defined once.
select
    flags.*,
    {{ mh_care_figure_1_category(
        '(uses_psychiatrist or uses_elp or uses_av_psychologist)',
        'uses_psychotropic',
        'uses_acute_rehab'
    ) }} as mh_care_figure_1,
    {{ mh_care_figure_2_category(
        'uses_psychiatrist', 'uses_elp', 'uses_av_psychologist'
    ) }} as mh_care_figure_2,
    case
        when uses_elp
            then {{ elp_function_pattern('uses_elp_support', 'uses_elp_treatment') }}
    end as elp_function,
    case
        when uses_elp
            then {{ elp_setting_pattern(
                'uses_elp_office', 'uses_elp_outreach', 'uses_elp_group', 'uses_elp_home',
                'uses_elp_remote'
            ) }}
    end as elp_setting_pattern,
    -- a user is in one network (FAQ: no cumulation); should the year hold services in both,
    -- the network with more services wins, ties to the child and adolescent network
    case
        when not uses_elp then null
        when elp_children_services >= elp_adults_services and elp_children_services > 0
            then 'children_adolescents'
        when elp_adults_services > 0 then 'adults'
    end as elp_network_type
from (
    select
        spine.*,
        coalesce(care.has_elp, false) as uses_elp,
        coalesce(care.has_psychiatrist, false) as uses_psychiatrist,
        coalesce(care.has_av_psychologist, false) as uses_av_psychologist,
        coalesce(care.has_psychotropic, false) as uses_psychotropic,
        coalesce(care.has_acute or care.has_rehab_residential, false) as uses_acute_rehab,
        coalesce(care.has_elp_support, false) as uses_elp_support,
        coalesce(care.has_elp_treatment, false) as uses_elp_treatment,
        coalesce(care.has_elp_office, false) as uses_elp_office,
        coalesce(care.has_elp_outreach, false) as uses_elp_outreach,
        coalesce(care.has_elp_group, false) as uses_elp_group,
        coalesce(care.has_elp_home, false) as uses_elp_home,
        coalesce(care.has_elp_remote, false) as uses_elp_remote,
        coalesce(care.elp_adults_services, 0) as elp_adults_services,
        coalesce(care.elp_children_services, 0) as elp_children_services
    from {{ ref('int_member_years') }} as spine
    left join {{ ref('int_member_year_care') }} as care
        on
            spine.member_id = care.member_id
            and spine.year = care.year
) as flags
