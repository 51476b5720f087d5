-- ELP users by care setting (Table 4, Figure 6, Annex 4): the exclusive pattern of the
-- year's session settings (office only, ..., multiple, other) and the share of users with at
-- least one session in each setting (any-use; these overlap). The estimate, its published
-- names and types come from int_elp_user_pattern_shares, shared with
-- mart_elp_users_by_function.
{%- set columns = [
    'year', 'dimension', 'category', 'pattern_group as setting_group', 'pattern as setting',
    'subgroup_users_observed', 'users_observed', 'subgroup_users_extrapolated',
    'users_extrapolated', 'users_share', 'users_share_ci_low', 'users_share_ci_high', 'label_nl',
    'label_fr', 'label_en',
] %}

select
    {{ columns | join(',\n    ') }}
from {{ ref('int_elp_user_pattern_shares') }}
where pattern_group in ('exclusive', 'any')
