-- ELP users by function (Tables 2 and 3): support only, treatment only, both (and `other`
-- for users with trajectory services only), as extrapolated users and as weighted shares of
-- the subgroup's users with a 95 % interval. The estimate, its published names and types
-- come from int_elp_user_pattern_shares, shared with mart_elp_users_by_setting.
{%- set columns = [
    'year', 'dimension', 'category', 'pattern as function', 'subgroup_users_observed',
    'users_observed', 'subgroup_users_extrapolated', 'users_extrapolated', 'users_share',
    'users_share_ci_low', 'users_share_ci_high', 'label_nl', 'label_fr', 'label_en',
] %}

select
    {{ columns | join(',\n    ') }}
from {{ ref('int_elp_user_pattern_shares') }}
where pattern_group = 'function'
