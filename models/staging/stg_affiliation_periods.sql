-- Valid affiliation spells, touching spells merged (base_affiliation_spells), with their
-- effective end: end_date null = still affiliated at extraction, end_date_effective = the
-- extraction date then. A view: the effective end of every open spell moves each night.
{%- set extraction_date = "cast('" ~ var('extraction_date') ~ "' as date)" %}
select
    member_id,
    start_date,
    end_date,
    coalesce(end_date, {{ extraction_date }}) as end_date_effective
from {{ ref('base_affiliation_spells') }}
