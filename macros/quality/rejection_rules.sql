{% macro rejection_rules(table_name, known_members=none) %}
    {%- set extraction_date = extraction_date_literal() -%}
    {%- set extraction_year = strict_date_var('extraction_date')[:4] -%}
    {%- set history_start = history_start_literal() -%}
    {%- set member_rules = [
        {'name': 'member_id_missing', 'when': blank_or_null('member_id')},
        {'name': 'member_id_looks_like_niss', 'when': looks_like_niss('member_id')},
    ] -%}
    {#- last of the row rules of an event table, so a line breaking another rule keeps that one
        (member_id is not null there: NOT IN is safe) -#}
    {%- set orphan_rule = [{'name': 'member_not_in_members_yearly',
        'when': not_in_relation('member_id', known_members, 'member_id', 'known_members')}] -%}
    {%- set status_days = ['unemployment_days', 'primary_incapacity_days', 'invalidity_days'] -%}
    {%- set rules = {
        'members_yearly': member_rules + [
            {'name': 'year_out_of_range',
             'when': "year is null or year < 1900 or year > " ~ extraction_year},
            {'name': 'birth_year_out_of_range',
             'when': "birth_year is null or birth_year < 1890 or birth_year > year"},
            {'name': 'age_out_of_range', 'when': "year - birth_year > 115"},
            {'name': 'sex_invalid', 'when': "sex is null or sex not in ('F', 'M')"},
            {'name': 'nis_municipality_unknown',
             'when': "arrondissement_province_code is null"},
            {'name': 'vt_missing', 'when': "vt is null"},
            {'name': 'affiliated_days_out_of_range',
             'when': "affiliated_days is null or affiliated_days < 1 or affiliated_days > "
                ~ days_in_year('year')},
            {'name': 'status_value_missing',
             'when': "unemployment_days is null or primary_incapacity_days is null"
                ~ " or invalidity_days is null or social_assistance is null"
                ~ " or detained is null or placed_child is null"},
            {'name': 'negative_status_days',
             'when': "unemployment_days < 0 or primary_incapacity_days < 0 or invalidity_days < 0"},
            {'name': 'status_days_out_of_range',
             'when': "greatest(" ~ status_days | join(', ') ~ ") > " ~ days_in_year('year')},
            {'name': 'duplicate_member_year', 'when': none},
            {'name': 'exact_duplicate_row', 'when': none},
        ],
        'affiliation_periods': member_rules + [
            {'name': 'start_date_missing', 'when': "start_date is null"},
            {'name': 'start_date_too_early', 'when': "start_date < cast('1890-01-01' as date)"},
            {'name': 'start_after_extraction', 'when': "start_date > " ~ extraction_date},
            {'name': 'end_before_start', 'when': "end_date < start_date"},
        ] + orphan_rule + [
            {'name': 'exact_duplicate_row', 'when': none},
            {'name': 'overlapping_spell', 'when': none},
        ],
        'claims': id_rules('claim_id') + member_rules + [
            {'name': 'provider_id_looks_like_niss', 'when': looks_like_niss('provider_id')},
            {'name': 'service_date_missing', 'when': "service_date is null"},
            {'name': 'service_date_too_early', 'when': "service_date < " ~ history_start},
            {'name': 'booking_date_missing', 'when': "booking_date is null"},
            {'name': 'booking_before_service', 'when': "booking_date < service_date"},
            {'name': 'booked_after_extraction', 'when': "booking_date > " ~ extraction_date},
            {'name': 'nomenclature_code_unknown', 'when': "not nomenclature_code_known"},
            {'name': 'network_id_unknown', 'when': "network_id is not null and not network_id_known"},
            {'name': 'quantity_invalid', 'when': "quantity is null or quantity = 0"},
            {'name': 'quantity_out_of_range', 'when': "abs(quantity) > " ~ claim_line_bound('quantity')},
            {'name': 'amount_missing',
             'when': "amount_insurance_eur is null or amount_patient_eur is null"},
            {'name': 'amount_insurance_out_of_range',
             'when': "abs(amount_insurance_eur) > abs(quantity) * " ~ claim_line_bound('insurance_eur')},
            {'name': 'amount_patient_out_of_range',
             'when': "abs(amount_patient_eur) > abs(quantity) * " ~ claim_line_bound('patient_eur')},
        ] + orphan_rule + [
            {'name': 'claim_id_duplicate', 'when': none},
            {'name': 'exact_duplicate_row', 'when': none},
            {'name': 'unmatched_correction', 'when': none},
            {'name': 'correction_exceeds_original', 'when': none},
        ],
        'pharmacy_dispensings': id_rules('dispensing_id') + member_rules + [
            {'name': 'dispensing_date_missing', 'when': "dispensing_date is null"},
            {'name': 'dispensing_date_too_early', 'when': "dispensing_date < " ~ history_start},
            {'name': 'dispensing_after_extraction', 'when': "dispensing_date > " ~ extraction_date},
            {'name': 'booking_date_missing', 'when': "booking_date is null"},
            {'name': 'booking_before_dispensing', 'when': "booking_date < dispensing_date"},
            {'name': 'booked_after_extraction', 'when': "booking_date > " ~ extraction_date},
            {'name': 'atc_code_invalid',
             'when': "atc_code is null or not "
                ~ regexp_full_match('atc_code', '[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}')},
            {'name': 'ddd_invalid', 'when': "ddd is null or ddd = 0"},
            {'name': 'ddd_not_finite', 'when': is_not_finite('ddd')},
            {'name': 'ddd_out_of_range', 'when': "abs(ddd) > 3660"},
            {'name': 'pharmacy_type_invalid',
             'when': "pharmacy_type is null or pharmacy_type not in ('public', 'hospital')"},
            {'name': 'amount_missing', 'when': "amount_insurance_eur is null"},
            {'name': 'amount_out_of_range', 'when': "abs(amount_insurance_eur) > 10000"},
        ] + orphan_rule + [
            {'name': 'dispensing_id_duplicate', 'when': none},
            {'name': 'exact_duplicate_row', 'when': none},
            {'name': 'unmatched_correction', 'when': none},
            {'name': 'correction_exceeds_original', 'when': none},
        ],
        'complementary_refunds': id_rules('refund_id') + member_rules + [
            {'name': 'service_date_missing', 'when': "service_date is null"},
            {'name': 'service_date_too_early', 'when': "service_date < " ~ history_start},
            {'name': 'service_after_extraction', 'when': "service_date > " ~ extraction_date},
            {'name': 'booking_date_missing', 'when': "booking_date is null"},
            {'name': 'booking_before_service', 'when': "booking_date < service_date"},
            {'name': 'booked_after_extraction', 'when': "booking_date > " ~ extraction_date},
            {'name': 'benefit_code_missing',
             'when': blank_or_null('benefit_code')},
            {'name': 'refund_sessions_not_positive', 'when': "sessions is null or sessions <= 0"},
            {'name': 'refund_sessions_out_of_range', 'when': "sessions > 52"},
            {'name': 'amount_missing', 'when': "amount_eur is null"},
            {'name': 'amount_out_of_range', 'when': "abs(amount_eur) > sessions * 250"},
        ] + orphan_rule + [
            {'name': 'refund_id_duplicate', 'when': none},
            {'name': 'exact_duplicate_row', 'when': none},
        ],
    } -%}
    {%- if table_name not in rules -%}
        {{ exceptions.raise_compiler_error("rejection_rules: unknown raw table '" ~ table_name ~ "'") }}
    {%- endif -%}
    {{ return(rules[table_name]) }}
{% endmacro %}

{% macro id_rules(id_column) %}
    {{ return([
        {'name': id_column ~ '_missing', 'when': blank_or_null(id_column)},
        {'name': id_column ~ '_looks_like_niss', 'when': looks_like_niss(id_column)},
    ]) }}
{% endmacro %}

{% macro claim_line_bounds() %}
    {#- Per care type: the largest |quantity| of one line, and the largest insurance and patient
        amount per unit; docs/source-contract.md gives the source of each. -#}
    {{ return({
        'elp_session': {'quantity': 20, 'insurance_eur': 400, 'patient_eur': 25},
        'elp_trajectory_service': {'quantity': 20, 'insurance_eur': 400, 'patient_eur': 25},
        'psychiatrist_ambulatory': {'quantity': 31, 'insurance_eur': 500, 'patient_eur': 100},
        'acute_psychiatric': {'quantity': 366, 'insurance_eur': 2_000, 'patient_eur': 500},
        'rehab_residential': {'quantity': 366, 'insurance_eur': 2_000, 'patient_eur': 500},
        'other': {'quantity': 366, 'insurance_eur': 10_000, 'patient_eur': 2_000},
    }) }}
{% endmacro %}

{% macro claim_line_bound(measure) -%}
    {%- set bounds = claim_line_bounds() -%}
    (case care_type
    {%- for care_type, bound in bounds.items() if care_type != 'other' %}
        when '{{ care_type }}' then {{ bound[measure] }}
    {%- endfor %}
        else {{ bounds['other'][measure] }}
    end)
{%- endmacro %}

{% macro days_in_year(year_column) -%}
    (case
        when mod({{ year_column }}, 4) = 0
            and (mod({{ year_column }}, 100) <> 0 or mod({{ year_column }}, 400) = 0) then 366
        else 365
    end)
{%- endmacro %}

{% macro is_not_finite(col) -%}
    {#- Compared as text: Parquet min/max statistics leave NaN out, and DuckDB folds a numeric
        test of the column (isnan, = 'NaN', a bound) into a constant from those statistics, so a
        NaN passed every numeric rule. The spellings cover DuckDB, PostgreSQL and Snowflake. -#}
    (cast({{ col }} as {{ dbt.type_string() }})
        in ('nan', '-nan', 'inf', '-inf', 'NaN', 'Infinity', '-Infinity', 'NAN', 'INF', '-INF'))
{%- endmacro %}

{% macro blank_or_null(col) -%}
    {#- a blank string sorts before '!': the comparison keeps the slow trim() off nearly every row -#}
    ({{ col }} is null or ({{ col }} < '!' and trim({{ col }}) = ''))
{%- endmacro %}

{% macro raw_table_names() %}
    {{ return(['members_yearly', 'affiliation_periods', 'claims', 'pharmacy_dispensings',
               'complementary_refunds']) }}
{% endmacro %}

{% macro first_broken_row_rule(table_name, known_members=none) -%}
    {%- if known_members is none and table_name != 'members_yearly' -%}
        {{ exceptions.raise_compiler_error(
            "first_broken_row_rule: " ~ table_name ~ " needs known_members, the relation base_known_members"
        ) }}
    {%- endif %}
    case
    {%- for rule in rejection_rules(table_name, known_members) if rule.when is not none %}
        when {{ rule.when }} then '{{ rule.name }}'
    {%- endfor %}
    end
{%- endmacro %}
