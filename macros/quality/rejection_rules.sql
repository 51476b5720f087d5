{% macro rejection_rules(table_name) %}
    {%- set extraction_date = "cast('" ~ var('extraction_date') ~ "' as date)" -%}
    {%- set extraction_year = (var('extraction_date') | string)[:4] -%}
    {%- set member_rules = [
        {'name': 'member_id_missing', 'when': blank_or_null('member_id')},
        {'name': 'member_id_looks_like_niss', 'when': looks_like_niss('member_id')},
    ] -%}
    {%- set rules = {
        'members_yearly': member_rules + [
            {'name': 'year_out_of_range',
             'when': "year is null or year < 1900 or year > " ~ extraction_year},
            {'name': 'birth_year_out_of_range',
             'when': "birth_year is null or birth_year < 1890 or birth_year > year"},
            {'name': 'sex_invalid', 'when': "sex is null or sex not in ('F', 'M')"},
            {'name': 'nis_municipality_unknown',
             'when': "arrondissement_province_code is null"},
            {'name': 'vt_missing', 'when': "vt is null"},
            {'name': 'affiliated_days_out_of_range',
             'when': "affiliated_days is null or affiliated_days < 1 or affiliated_days > 366"},
            {'name': 'status_value_missing',
             'when': "unemployment_days is null or primary_incapacity_days is null"
                ~ " or invalidity_days is null or social_assistance is null"
                ~ " or detained is null or placed_child is null"},
            {'name': 'negative_status_days',
             'when': "unemployment_days < 0 or primary_incapacity_days < 0 or invalidity_days < 0"},
            {'name': 'duplicate_member_year', 'when': none},
            {'name': 'exact_duplicate_row', 'when': none},
        ],
        'affiliation_periods': member_rules + [
            {'name': 'start_date_missing', 'when': "start_date is null"},
            {'name': 'start_after_extraction', 'when': "start_date > " ~ extraction_date},
            {'name': 'end_before_start', 'when': "end_date < start_date"},
            {'name': 'exact_duplicate_row', 'when': none},
            {'name': 'overlapping_spell', 'when': none},
        ],
        'claims': [
            {'name': 'claim_id_missing', 'when': blank_or_null('claim_id')},
        ] + member_rules + [
            {'name': 'service_date_missing', 'when': "service_date is null"},
            {'name': 'booking_date_missing', 'when': "booking_date is null"},
            {'name': 'booking_before_service', 'when': "booking_date < service_date"},
            {'name': 'booked_after_extraction', 'when': "booking_date > " ~ extraction_date},
            {'name': 'nomenclature_code_unknown', 'when': "not nomenclature_code_known"},
            {'name': 'network_id_unknown', 'when': "network_id is not null and not network_id_known"},
            {'name': 'quantity_invalid', 'when': "quantity is null or quantity = 0"},
            {'name': 'amount_missing',
             'when': "amount_insurance_eur is null or amount_patient_eur is null"},
            {'name': 'claim_id_duplicate', 'when': none},
            {'name': 'exact_duplicate_row', 'when': none},
            {'name': 'unmatched_correction', 'when': none},
        ],
        'pharmacy_dispensings': [
            {'name': 'dispensing_id_missing',
             'when': blank_or_null('dispensing_id')},
        ] + member_rules + [
            {'name': 'dispensing_date_missing', 'when': "dispensing_date is null"},
            {'name': 'dispensing_after_extraction', 'when': "dispensing_date > " ~ extraction_date},
            {'name': 'booking_date_missing', 'when': "booking_date is null"},
            {'name': 'booking_before_dispensing', 'when': "booking_date < dispensing_date"},
            {'name': 'booked_after_extraction', 'when': "booking_date > " ~ extraction_date},
            {'name': 'atc_code_invalid',
             'when': "atc_code is null or not "
                ~ regexp_full_match('atc_code', '[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}')},
            {'name': 'ddd_invalid', 'when': "ddd is null or ddd = 0"},
            {'name': 'pharmacy_type_invalid',
             'when': "pharmacy_type is null or pharmacy_type not in ('public', 'hospital')"},
            {'name': 'amount_missing', 'when': "amount_insurance_eur is null"},
            {'name': 'dispensing_id_duplicate', 'when': none},
            {'name': 'exact_duplicate_row', 'when': none},
            {'name': 'unmatched_correction', 'when': none},
        ],
        'complementary_refunds': [
            {'name': 'refund_id_missing', 'when': blank_or_null('refund_id')},
        ] + member_rules + [
            {'name': 'service_date_missing', 'when': "service_date is null"},
            {'name': 'service_after_extraction', 'when': "service_date > " ~ extraction_date},
            {'name': 'booking_date_missing', 'when': "booking_date is null"},
            {'name': 'booking_before_service', 'when': "booking_date < service_date"},
            {'name': 'booked_after_extraction', 'when': "booking_date > " ~ extraction_date},
            {'name': 'benefit_code_missing',
             'when': blank_or_null('benefit_code')},
            {'name': 'refund_sessions_not_positive', 'when': "sessions is null or sessions <= 0"},
            {'name': 'amount_missing', 'when': "amount_eur is null"},
            {'name': 'refund_id_duplicate', 'when': none},
            {'name': 'exact_duplicate_row', 'when': none},
        ],
    } -%}
    {%- if table_name not in rules -%}
        {{ exceptions.raise_compiler_error("rejection_rules: unknown raw table '" ~ table_name ~ "'") }}
    {%- endif -%}
    {{ return(rules[table_name]) }}
{% endmacro %}

{% macro blank_or_null(col) -%}
    {#- a blank string sorts before '!': the comparison keeps the slow trim() off nearly every row -#}
    ({{ col }} is null or ({{ col }} < '!' and trim({{ col }}) = ''))
{%- endmacro %}

{% macro raw_table_names() %}
    {{ return(['members_yearly', 'affiliation_periods', 'claims', 'pharmacy_dispensings',
               'complementary_refunds']) }}
{% endmacro %}

{% macro first_broken_row_rule(table_name) -%}
    case
    {%- for rule in rejection_rules(table_name) if rule.when is not none %}
        when {{ rule.when }} then '{{ rule.name }}'
    {%- endfor %}
    end
{%- endmacro %}
