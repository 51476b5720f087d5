{% macro looks_like_niss(col) -%}
    {#- Characters written in Jinja escapes: the compiled SQL holds the characters themselves,
        so no engine needs a Unicode escape syntax and the regular expression and translate()
        below read the same lists. -#}
    {%- set other_digits = '\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19'
        ~ '\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669'
        ~ '\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9'
        ~ '\u0966\u0967\u0968\u0969\u096a\u096b\u096c\u096d\u096e\u096f' -%}
    {%- set ascii_digits = '0123456789' * 4 -%}
    {#- '-' last, so that it is a literal inside the regular expression's class -#}
    {%- set separators = ' \t\n\r./_,:\u00a0\u2007\u2009\u202f\u200b\ufeff\u3000'
        ~ '\u2010\u2011\u2012\u2013\u2212\uff0e\uff0d-' -%}
    {%- set letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz' -%}
    {%- set digit = '[0-9' ~ other_digits ~ ']' -%}
    {%- set gap = '[' ~ separators ~ ']*' -%}
    {%- set eleven_digits = '(' ~ digit ~ gap ~ '){10}' ~ digit -%}
    {%- set any_other_digit = '[' ~ other_digits ~ ']' -%}
    {#- A case, not and: the engine may evaluate every operand of an and on every row, and the
        check number cast would then fail on other values. The length test costs nearly
        nothing and keeps the regular expressions off the identifiers of other lengths;
        translate() is slow, so it runs only on the rare values written with other digits. -#}
    (case
        when length({{ col }}) not between 11 and 40 then false
        when not {{ regexp_full_match(
            col, gap ~ '([A-Za-z]{1,4}' ~ gap ~ ')?' ~ eleven_digits ~ '(' ~ gap ~ '[A-Za-z]{1,2})?' ~ gap
        ) }} then false
        when {{ regexp_full_match(col, gap ~ eleven_digits ~ gap) }} then true
        when {{ regexp_full_match(col, '.*' ~ any_other_digit ~ '.*') }} then {{ niss_check_number_valid(
            "translate(" ~ col ~ ", '" ~ other_digits ~ "', '" ~ ascii_digits ~ "')") }}
        else {{ niss_check_number_valid(col) }}
    end)
{%- endmacro %}

{#- With letters around the digits, only a valid check number makes the value a NISS, so that a
    pseudonym such as `M` + 11 digits matches for 2 % of its values, not all of them. The check
    number is 97 - (the first nine digits mod 97), with a 2 in front of the nine digits for births
    from 2000: (nine digits + check number) mod 97 is then 0, or 29 (2000000000 mod 97 = 68). -#}
{% macro niss_check_number_valid(ascii_col) -%}
    {%- set digits = regexp_replace_all(ascii_col, '[^0-9]', '') -%}
    mod(
        cast(substring({{ digits }}, 1, 9) as {{ dbt.type_bigint() }})
        + cast(substring({{ digits }}, 10, 2) as {{ dbt.type_int() }}),
        97
    ) in (0, 29)
{%- endmacro %}
