-- Valid member-years (rows that broke no contract rule), with the province and region of the
-- domicile's arrondissement for that year and the insurability code's socio-professional status.
with

valid_member_years as (
    select * from {{ ref('base_members_yearly') }}
    where rejection_rule is null
),

provinces as (
    select
        cast(province_code as {{ dbt.type_string() }}) as province_code,
        cast(region as {{ dbt.type_string() }}) as region
    from {{ ref('provinces') }}
),

insurability_codes as (
    select
        cast(insurability_code as {{ dbt.type_string() }}) as insurability_code,
        cast(socio_professional as {{ dbt.type_string() }}) as socio_professional,
        cast(specific_category as {{ dbt.type_string() }}) as specific_category
    from {{ ref('insurability_codes') }}
)

select
    valid_member_years.member_id,
    valid_member_years.year,
    valid_member_years.birth_year,
    valid_member_years.year - valid_member_years.birth_year as age,
    valid_member_years.sex,
    valid_member_years.nis_municipality,
    valid_member_years.arrondissement_nis,
    valid_member_years.province_code,
    provinces.region,
    valid_member_years.vt,
    valid_member_years.insurability_code,
    insurability_codes.socio_professional,
    insurability_codes.specific_category as insurability_specific_category,
    valid_member_years.affiliated_days,
    valid_member_years.unemployment_days,
    valid_member_years.primary_incapacity_days,
    valid_member_years.invalidity_days,
    valid_member_years.social_assistance,
    valid_member_years.detained,
    valid_member_years.placed_child
from valid_member_years
left join provinces
    on valid_member_years.province_code = provinces.province_code
left join insurability_codes
    on valid_member_years.insurability_code = insurability_codes.insurability_code
