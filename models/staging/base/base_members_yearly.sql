{{ config(materialized='table') }}
-- Raw members_yearly read once: typed, the arrondissement and province looked up for the year,
-- and `rejection_rule` = the first contract rule the row breaks (null = valid). Staging and
-- quarantine read this table; rules live in macro rejection_rules.
{%- set row_columns = [
    'member_id', 'year', 'birth_year', 'sex', 'nis_municipality', 'vt', 'insurability_code',
    'affiliated_days', 'unemployment_days', 'primary_incapacity_days', 'invalidity_days',
    'social_assistance', 'detained', 'placed_child',
] %}
with

raw_rows as {{ cte_hint('inline') }} (
    select * from {{ source('raw', 'members_yearly') }}
),

arrondissements as (
    select
        cast(arrondissement_nis as {{ dbt.type_string() }}) as arrondissement_nis,
        cast(province_code as {{ dbt.type_string() }}) as province_code,
        cast(valid_from_year as {{ dbt.type_int() }}) as valid_from_year,
        cast(valid_to_year as {{ dbt.type_int() }}) as valid_to_year
    from {{ ref('arrondissements') }}
),

typed_rows as {{ cte_hint('inline') }} (
    select
        {{ typed_select_list(raw_typed_columns('members_yearly')) | indent(8) }}
    from raw_rows
),

located_rows as {{ cte_hint('inline') }} (
    select
        typed_rows.*,
        arrondissements.arrondissement_nis,
        arrondissements.province_code as arrondissement_province_code
    from typed_rows
    left join arrondissements
        on
            {{ regexp_full_match('typed_rows.nis_municipality', '[0-9]{5}') }}
            and arrondissements.arrondissement_nis = substr(typed_rows.nis_municipality, 1, 2)
            and typed_rows.year between arrondissements.valid_from_year and arrondissements.valid_to_year
),

row_checked as {{ cte_hint('inline') }} (
    select
        *,
        {{ first_broken_row_rule('members_yearly') }} as row_rule
    from located_rows
),

{{ duplicate_checked_cte(
    'row_checked', hashed_relation='typed_rows', key_columns=['member_id', 'year'], row_columns=row_columns,
    key_rule='duplicate_member_year'
) }}

select
    {{ row_columns | join(',\n    ') }},
    arrondissement_nis,
    arrondissement_province_code as province_code,
    rejection_rule
from duplicate_checked
