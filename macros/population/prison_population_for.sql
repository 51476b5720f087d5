{% macro prison_population_for(relation, prison_population, year_column='year', sex_column='sex') -%}
    select
        {{ relation }}.{{ year_column }},
        {{ relation }}.{{ sex_column }},
        cast(prison_population.population as {{ type_double() }}) as prison_population
    from {{ relation }}
    inner join {{ prison_population }} as prison_population
        on
            {{ relation }}.{{ sex_column }} = prison_population.sex
            and prison_population.year = (
                select max(latest.year) from {{ prison_population }} as latest
                where latest.year <= {{ relation }}.{{ year_column }}
            )
{%- endmacro %}
