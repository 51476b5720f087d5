{#- The prison population (seed prison_population) that extrapolates detainees of `relation`,
    per row: same sex, latest seed year at or before the row's year (the seed can lag the
    analysis years). Emits a select of `year_column`, `sex_column` and `prison_population`;
    used by every mart that applies the detainee rule (methods, fn 7). -#}
{% macro prison_population_for(relation, year_column='year', sex_column='sex') -%}
    select
        {{ relation }}.{{ year_column }},
        {{ relation }}.{{ sex_column }},
        cast(prison_population.population as {{ elp_warehouse.type_double() }}) as prison_population
    from {{ relation }}
    inner join {{ ref('prison_population') }} as prison_population
        on
            {{ relation }}.{{ sex_column }} = prison_population.sex
            and prison_population.year = (
                select max(latest.year) from {{ ref('prison_population') }} as latest
                where latest.year <= {{ relation }}.{{ year_column }}
            )
{%- endmacro %}
