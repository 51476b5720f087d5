{{ config(materialized='table') }}
-- Raw pharmacy_dispensings read once: typed, with `rejection_rule` = the first contract rule the
-- line breaks (null = valid), `in_cancelled_group` = a valid line whose netting group
-- (member, dispensing date, ATC code, pharmacy type) nets to ddd <= 0 and `in_repeated_group`
-- = the group may hold more than one line. Rules live in macro rejection_rules; netting
-- happens in stg_pharmacy_dispensings, a view that aggregates the repeated groups only.
{%- set row_columns = [
    'dispensing_id', 'member_id', 'dispensing_date', 'booking_date', 'atc_code', 'ddd',
    'pharmacy_type', 'amount_insurance_eur',
] %}
{%- set netting_columns = ['member_id', 'dispensing_date', 'atc_code', 'pharmacy_type'] %}
{%- set netting_group = netting_columns | join(', ') %}
{%- set qualified_netting_columns = [] %}
{%- for column in netting_columns %}
    {%- do qualified_netting_columns.append('duplicate_checked.' ~ column) %}
{%- endfor %}
with

raw_lines as {{ elp_warehouse.cte_hint('inline') }} (
    select * from {{ source('raw', 'pharmacy_dispensings') }}
),

typed_lines as {{ elp_warehouse.cte_hint('inline') }} (
    select
        cast(dispensing_id as {{ dbt.type_string() }}) as dispensing_id,
        cast(member_id as {{ dbt.type_string() }}) as member_id,
        cast(dispensing_date as date) as dispensing_date,
        cast(booking_date as date) as booking_date,
        cast(atc_code as {{ dbt.type_string() }}) as atc_code,
        cast(ddd as {{ elp_warehouse.type_double() }}) as ddd,
        cast(pharmacy_type as {{ dbt.type_string() }}) as pharmacy_type,
        cast(amount_insurance_eur as {{ elp_warehouse.type_amount() }}) as amount_insurance_eur
    from raw_lines
),

row_checked as {{ elp_warehouse.cte_hint('inline') }} (
    select
        *,
        {{ elp_warehouse.first_broken_row_rule('pharmacy_dispensings') }} as row_rule
    from typed_lines
),

{{ elp_warehouse.duplicate_checked_cte(
    'row_checked', key_columns=['dispensing_id'], row_columns=row_columns,
    key_rule='dispensing_id_duplicate'
) }},

-- corrections are rare: the windows below run on the lines of corrected groups only
corrected_groups as {{ elp_warehouse.cte_hint('materialize') }} (
    select distinct
        member_id,
        dispensing_date,
        atc_code,
        pharmacy_type
    from duplicate_checked
    where rejection_rule is null and ddd < 0
),

-- groups of more than one line, which stg_pharmacy_dispensings nets; the others pass
-- through. Found by a 64-bit hash of the group's key over every line, valid or not (no rule
-- is evaluated for it): a superset of the repeated valid groups, and a group marked without
-- need goes through the netting, which gives the same rows
repeated_groups as {{ elp_warehouse.cte_hint('materialize') }} (
    select {{ elp_warehouse.row_hash(netting_columns) }} as group_hash
    from typed_lines
    group by {{ elp_warehouse.row_hash(netting_columns) }}
    having count(*) > 1
),

lines_marked as {{ elp_warehouse.cte_hint('inline') }} (
    select
        duplicate_checked.*,
        corrected_groups.member_id is not null as in_corrected_group,
        {{ elp_warehouse.row_hash(qualified_netting_columns) }}
        in (select repeated_groups.group_hash from repeated_groups) as in_repeated_group
    from duplicate_checked
    left join corrected_groups
        on
            duplicate_checked.member_id = corrected_groups.member_id
            and duplicate_checked.dispensing_date = corrected_groups.dispensing_date
            and duplicate_checked.atc_code = corrected_groups.atc_code
            and duplicate_checked.pharmacy_type = corrected_groups.pharmacy_type
),

{{ correction_netting(row_columns + ['in_repeated_group'], netting_group, 'ddd') }}
