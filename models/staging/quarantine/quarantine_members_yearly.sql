-- Rejected member-years with the first contract rule each broke.
select
    rejection_rule,
    {{ redacted_identifier('member_id') }} as member_id,
    year,
    birth_year,
    sex,
    nis_municipality,
    vt,
    insurability_code,
    affiliated_days,
    unemployment_days,
    primary_incapacity_days,
    invalidity_days,
    social_assistance,
    detained,
    placed_child
from {{ ref('base_members_yearly') }}
where rejection_rule is not null
