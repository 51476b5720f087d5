-- Sessions per patient over the 12 months from the first session (section 3.3.4, Annex 5,
-- Figures 7-9): per cohort year x dimension x category, patients observed and extrapolated,
-- the post-stratified weighted mean with its 95 % interval and the weighted P25, median, P75
-- and P95 (macro weighted_quantile). Cohort: trajectories whose 12-month window is observed
-- before the extraction (billing margin) and during which the patient stays affiliated
-- (int_elp_trajectories.is_session_cohort).
with

cells as (
    select
        *,
        patients * expansion_factor as weight,
        1 as x
    from {{ ref('int_elp_trajectory_profiles') }}
    where cohort = 'sessions'
),

means as (
    {{ poststratified_ratio(
        'cells', ['cohort_year', 'dimension', 'category'], 'sessions_12m', 'x',
        bounded=false, unit_count='patients'
    ) }}
),

quantiles as (
    {{ weighted_quantile(
        'cells', ['cohort_year', 'dimension', 'category'], 'sessions_12m', 'weight',
        {'p25_sessions': 0.25, 'median_sessions': 0.5, 'p75_sessions': 0.75, 'p95_sessions': 0.95}
    ) }}
),

counts as (
    select
        cohort_year,
        dimension,
        category,
        sum(patients) as patients_observed,
        sum(weight) as patients_extrapolated,
        sum(patients * sessions_12m) as sessions_observed
    from cells
    group by cohort_year, dimension, category
),

-- detainees (fn 7): the patient count is extrapolated to the prison population, as the usage
-- mart does for users (int_elp_detained_patients). Means and percentiles keep the
-- expansion-factor weights: the prison factor is one constant per cohort year and sex, so
-- within a sex it cancels out of a weighted mean or quantile. Only the female / male mix of
-- the detained row would move (towards the prison population's, ~4 % women); that mix is
-- left as weighted, because a per-sex reweighting would need its own variance estimator for
-- one row of a few dozen observed patients (Annex 5: 7.1 and 3.9 sessions).
detained as (
    select
        cohort_year,
        sum(patients_extrapolated) as patients_extrapolated
    from {{ ref('int_elp_detained_patients') }}
    group by cohort_year
)

select
    cast(counts.cohort_year as {{ dbt.type_int() }}) as cohort_year,
    cast(counts.dimension as {{ dbt.type_string() }}) as dimension,
    cast(counts.category as {{ dbt.type_string() }}) as category,
    cast(counts.patients_observed as {{ dbt.type_bigint() }}) as patients_observed,
    cast(
        case
            when counts.dimension = 'specific_category' and counts.category = 'detained'
                then coalesce(detained.patients_extrapolated, counts.patients_extrapolated)
            else counts.patients_extrapolated
        end as {{ type_double() }}
    ) as patients_extrapolated,
    cast(
        case
            when
                counts.dimension = 'specific_category' and counts.category = 'detained'
                and detained.patients_extrapolated is not null
                then 'prison_population'
            else 'post_stratification'
        end as {{ dbt.type_string() }}
    ) as extrapolation_method,
    cast(means.estimate as {{ type_double() }}) as mean_sessions,
    cast(means.ci_low as {{ type_double() }}) as mean_sessions_ci_low,
    cast(means.ci_high as {{ type_double() }}) as mean_sessions_ci_high,
    cast(counts.sessions_observed as {{ type_double() }}) / counts.patients_observed
        as mean_sessions_unweighted,
    cast(quantiles.p25_sessions as {{ type_double() }}) as p25_sessions,
    cast(quantiles.median_sessions as {{ type_double() }}) as median_sessions,
    cast(quantiles.p75_sessions as {{ type_double() }}) as p75_sessions,
    cast(quantiles.p95_sessions as {{ type_double() }}) as p95_sessions,
    cast(labels.label_nl as {{ dbt.type_string() }}) as label_nl,
    cast(labels.label_fr as {{ dbt.type_string() }}) as label_fr,
    cast(labels.label_en as {{ dbt.type_string() }}) as label_en
from counts
inner join means
    on
        counts.cohort_year = means.cohort_year
        and counts.dimension = means.dimension
        and counts.category = means.category
inner join quantiles
    on
        counts.cohort_year = quantiles.cohort_year
        and counts.dimension = quantiles.dimension
        and counts.category = quantiles.category
left join detained
    on counts.cohort_year = detained.cohort_year
left join {{ ref('labels') }} as labels
    on
        counts.dimension = labels.dimension
        and counts.category = labels.category
