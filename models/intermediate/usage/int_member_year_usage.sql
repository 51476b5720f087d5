-- Member-years with their study categories of care use, before any aggregation. Rules
-- (category precedence, function and setting patterns, network type) come from
-- macros/care/mh_care_categories.sql so each is defined once; the query is macro
-- member_year_usage, which int_usage_strata runs over the member-years it counts again.
{{ elp_warehouse.member_year_usage(ref('int_member_years'), ref('int_member_year_care')) }}
