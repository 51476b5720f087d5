{% macro looks_like_niss(col) -%}
    (
        {#- Such a value sorts before ':' (spaces and digits do), so this comparison, stated first,
            skips every Parquet row group whose smallest value sorts after it; no trim(): slow. -#}
        {{ col }} < ':'
        and length({{ col }}) between 11 and 17
        and {{ regexp_full_match(
            col, ' *[0-9]{2}[. -]?[0-9]{2}[. -]?[0-9]{2}[. -]?[0-9]{3}[. -]?[0-9]{2} *'
        ) }}
    )
{%- endmacro %}
