{#- The latest prison-population year is looked up in a projection, then joined: Spark refuses
    a correlated scalar subquery inside a join condition (UNSUPPORTED_CORRELATED_SCALAR_SUBQUERY),
    and accepts one in a select list, as DuckDB does. -#}
{% macro prison_population_for(relation, prison_population, year_column='year', sex_column='sex') -%}
    select
        with_latest_year.{{ year_column }},
        with_latest_year.{{ sex_column }},
        cast(prison_population.population as {{ type_double() }}) as prison_population
    from (
        select
            {{ relation }}.{{ year_column }},
            {{ relation }}.{{ sex_column }},
            (
                select max(latest.year) from {{ prison_population }} as latest
                where latest.year <= {{ relation }}.{{ year_column }}
            ) as prison_population_year
        from {{ relation }}
    ) as with_latest_year
    inner join {{ prison_population }} as prison_population
        on
            with_latest_year.{{ sex_column }} = prison_population.sex
            and prison_population.year = with_latest_year.prison_population_year
{%- endmacro %}
