{#- True when an identifier looks like a Belgian national register number (INSZ/NISS): exactly 11
    digits, optionally written with the usual separators (YY.MM.DD-XXX.CC, spaces or dashes).
    Such a value must never reach the warehouse (source contract): the preflight refuses the
    extract, and the base models quarantine the row as `member_id_looks_like_niss`.
    Surrounding spaces are allowed. Built for a full scan of ~100 M values: the length test
    keeps the regular expression off most rows, and no trimmed copy of the string is made
    (trim() made the scan 4x slower). Such a value starts with a space or a digit, so it sorts
    before ':' (byte order: ' ' and '0'-'9' come before ':'); stated first, that comparison
    lets the engine skip every Parquet row group whose smallest member_id sorts after it,
    from the file's statistics alone: the preflight over the national extract's 150 M
    member_id values went from 2.0 s to well under 0.1 s with the generator's pseudonyms
    (letters first). Pseudonyms that start with a digit are scanned as before. -#}
{% macro looks_like_niss(col) -%}
    (
        {{ col }} < ':'
        and length({{ col }}) between 11 and 17
        and {{ elp_warehouse.regexp_full_match(
            col, ' *[0-9]{2}[. -]?[0-9]{2}[. -]?[0-9]{2}[. -]?[0-9]{3}[. -]?[0-9]{2} *'
        ) }}
    )
{%- endmacro %}
