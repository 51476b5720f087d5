{% test rejected_share_within_threshold(model, source_name=none, threshold=none, quality_model=none) %}
    {%- set threshold_sql = threshold if threshold is not none else 'threshold' %}
    with

    breaches as (
        select
            source,
            rows_read,
            rows_rejected,
            rejected_share,
            {{ threshold_sql }} as threshold_used
        from {{ quality_model if quality_model is not none else model }}
        where
            rule = 'all_rules'
            and rejected_share > {{ threshold_sql }}
            {%- if source_name is not none %}
            and source = '{{ source_name }}'
            {%- endif %}
    )

    -- the error is raised in the filter: a projected column could be pruned by the optimizer
    -- when dbt wraps the test in `select count(*)`
    select
        source,
        rows_read,
        rows_rejected,
        rejected_share,
        threshold_used
    from breaches
    where {{ raise_error(dbt.concat([
            "'Rejected share of raw table '",
            "source",
            "' is '",
            "cast(round(rejected_share, 4) as " ~ dbt.type_string() ~ ")",
            "' ('",
            "cast(rows_rejected as " ~ dbt.type_string() ~ ")",
            "' of '",
            "cast(rows_read as " ~ dbt.type_string() ~ ")",
            "' rows), above the threshold '",
            "cast(threshold_used as " ~ dbt.type_string() ~ ")",
            "' (var max_rejected_share); see mart_data_quality and quarantine_'",
            "source",
        ])) }} is null
{% endtest %}
