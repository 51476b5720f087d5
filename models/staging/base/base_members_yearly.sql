{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ elp_warehouse.vanished_years_delete(ref('base_members_yearly_files')) }}",
    post_hook="{{ elp_warehouse.replaced_rows_delete(elp_warehouse.fingerprint_year()) }}",
) }}
-- Raw members_yearly read once: typed, the arrondissement and province looked up for the year,
-- and `rejection_rule` = the first contract rule the row breaks (null = valid). Staging and
-- quarantine are views over this table; rules live in macro rejection_rules. Incremental by
-- year: only the years whose raw rows changed are read again (macros/incremental/year_increment.sql).
{%- set row_columns = [
    'member_id', 'year', 'birth_year', 'sex', 'nis_municipality', 'vt', 'insurability_code',
    'affiliated_days', 'unemployment_days', 'primary_incapacity_days', 'invalidity_days',
    'social_assistance', 'detained', 'placed_child',
] %}
{%- set files = ref('base_members_yearly_files') %}
{%- do elp_warehouse.require_current_raw_files('members_yearly', files) %}
{%- set build_years = elp_warehouse.years_to_build(
    elp_warehouse.file_year_fingerprints(files), 'fingerprint_year') %}
with

raw_rows as {{ elp_warehouse.cte_hint('inline') }} (
    select * from {{ source('raw', 'members_yearly') }}
    where {{ elp_warehouse.years_filter('year', build_years) }}
),

-- the fingerprints of the years read, kept for the next run: added up from the per-file
-- parts, not computed again over these rows
raw_year_fingerprints as {{ elp_warehouse.cte_hint('materialize') }} (
    {{ elp_warehouse.file_year_fingerprints(files, build_years) | indent(4) }}
),

arrondissements as (
    select
        cast(arrondissement_nis as {{ dbt.type_string() }}) as arrondissement_nis,
        cast(province_code as {{ dbt.type_string() }}) as province_code,
        cast(valid_from_year as {{ dbt.type_int() }}) as valid_from_year,
        cast(valid_to_year as {{ dbt.type_int() }}) as valid_to_year
    from {{ ref('arrondissements') }}
),

typed_rows as {{ elp_warehouse.cte_hint('inline') }} (
    select
        {{ elp_warehouse.typed_select_list(elp_warehouse.raw_typed_columns('members_yearly')) | indent(8) }}
    from raw_rows
),

located_rows as {{ elp_warehouse.cte_hint('inline') }} (
    select
        typed_rows.*,
        arrondissements.arrondissement_nis,
        arrondissements.province_code as arrondissement_province_code
    from typed_rows
    left join arrondissements
        on
            {{ elp_warehouse.regexp_full_match('typed_rows.nis_municipality', '[0-9]{5}') }}
            and arrondissements.arrondissement_nis = substr(typed_rows.nis_municipality, 1, 2)
            and typed_rows.year between arrondissements.valid_from_year and arrondissements.valid_to_year
),

row_checked as {{ elp_warehouse.cte_hint('inline') }} (
    select
        *,
        {{ elp_warehouse.first_broken_row_rule('members_yearly') }} as row_rule
    from located_rows
),

{{ elp_warehouse.duplicate_checked_cte(
    'row_checked', key_columns=['member_id', 'year'], row_columns=row_columns,
    key_rule='duplicate_member_year'
) }}

-- the fingerprint joins the finished rows: carried through the checks, it would cost more
select
    {{ row_columns | join(',\n    ') }},
    duplicate_checked.arrondissement_nis,
    duplicate_checked.arrondissement_province_code as province_code,
    duplicate_checked.rejection_rule,
    raw_year_fingerprints.year_fingerprint,
    {{ elp_warehouse.load_timestamp() }} as loaded_at
from duplicate_checked
inner join raw_year_fingerprints
    on {{ elp_warehouse.fingerprint_year('duplicate_checked.year') }} = raw_year_fingerprints.fingerprint_year
