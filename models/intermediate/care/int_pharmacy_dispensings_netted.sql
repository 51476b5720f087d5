{{ config(materialized='view') }}
-- One row per dispensing netting group (member, dispensing date, ATC code, pharmacy type):
-- ddd and amount netted over the dispensing and its corrections; groups netting to ddd <= 0
-- were cancelled and are absent (counted as corrections_cancelled in mart_data_quality).
-- atc_class = the class of the longest matching prefix in seed atc_classes; null = not a
-- psychotropic class followed by the study. A view: only the groups the base model marks as
-- repeated are aggregated.
{%- set netting_group = ['member_id', 'dispensing_date', 'atc_code', 'pharmacy_type'] %}
with

valid_lines as {{ cte_hint('inline') }} (
    select * from {{ ref('stg_pharmacy_dispensings') }}
    where not in_cancelled_group
),

netted_dispensings as (
    select
        member_id,
        dispensing_date,
        atc_code,
        pharmacy_type,
        dispensing_id,
        ddd,
        amount_insurance_eur
    from valid_lines
    -- a lone valid line is positive (a lone correction is unmatched): the condition keeps
    -- the netting's rule for it all the same
    where not in_repeated_group and ddd > 0

    union all

    select
        member_id,
        dispensing_date,
        atc_code,
        pharmacy_type,
        min(case when ddd > 0 then dispensing_id end) as dispensing_id,
        sum(ddd) as ddd,
        sum(amount_insurance_eur) as amount_insurance_eur
    from valid_lines
    where in_repeated_group
    group by {{ netting_group | join(', ') }}
),

atc_classes as (
    select
        cast(atc_prefix as {{ dbt.type_string() }}) as atc_prefix,
        cast(atc_class as {{ dbt.type_string() }}) as atc_class
    from {{ ref('atc_classes') }}
),

-- the same codes as the netted groups', read from the lines so that the netting result is
-- consumed once
atc_codes as (
    select distinct atc_code from valid_lines
),

atc_code_classes as (
    select
        atc_codes.atc_code,
        atc_classes.atc_class,
        row_number() over (
            partition by atc_codes.atc_code order by length(atc_classes.atc_prefix) desc
        ) as prefix_rank
    from atc_codes
    inner join atc_classes
        on substr(atc_codes.atc_code, 1, length(atc_classes.atc_prefix)) = atc_classes.atc_prefix
)

select
    netted_dispensings.dispensing_id,
    netted_dispensings.member_id,
    netted_dispensings.dispensing_date,
    netted_dispensings.atc_code,
    atc_code_classes.atc_class,
    netted_dispensings.pharmacy_type,
    netted_dispensings.ddd,
    netted_dispensings.amount_insurance_eur
from netted_dispensings
left join atc_code_classes
    on
        netted_dispensings.atc_code = atc_code_classes.atc_code
        and atc_code_classes.prefix_rank = 1
