-- Detained patients of the session cohort extrapolated with the prison population (fn 7), per
-- cohort year and sex: the usage mart's rule (mart_elp_usage, detained_rows) applied to a
-- count of patients. Post-stratification would make the detained members of a sex stand for
-- sum(expansion_factor) persons, but detainees are a tiny, non-random slice of each weighting
-- cell, so the study scales them to the prison population instead: patients_extrapolated =
-- (weighted share of the sex's detained members who are in the cohort) x prison population
-- of that sex (latest seed year <= the cohort year). The weighted share is the post-stratified
-- ratio sum(w patients) / sum(w detained members), as in the usage mart.
with

cohort as (
    select
        cohort_year,
        sex,
        count(*) as patients_observed,
        sum(expansion_factor) as patients_weighted
    from {{ ref('int_elp_trajectories') }}
    where is_session_cohort and detained
    group by cohort_year, sex
),

detained_members as (
    select
        year,
        sex,
        sum(expansion_factor) as members_weighted
    from {{ ref('int_member_years') }}
    where detained
    group by year, sex
),

prison as (
    {{ prison_population_for('detained_members', ref('prison_population')) }}
)

select
    cast(cohort.cohort_year as {{ dbt.type_int() }}) as cohort_year,
    cohort.sex,
    cast(cohort.patients_observed as {{ dbt.type_bigint() }}) as patients_observed,
    cast(cohort.patients_weighted as {{ type_double() }}) as patients_weighted,
    cast(detained_members.members_weighted as {{ type_double() }}) as members_weighted,
    prison.prison_population,
    cast(cohort.patients_weighted as {{ type_double() }})
    / detained_members.members_weighted
    * prison.prison_population as patients_extrapolated
from cohort
inner join detained_members
    on
        cohort.cohort_year = detained_members.year
        and cohort.sex = detained_members.sex
inner join prison
    on
        cohort.cohort_year = prison.year
        and cohort.sex = prison.sex
