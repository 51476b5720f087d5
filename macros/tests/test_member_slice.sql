{#- `model` holds, per member, exactly as many rows as `of` for the members with at least one
    row of `of` meeting `members_with` (a condition), and no other member. A failing row names
    the member and both counts. Counts rather than values: the slice's own columns are checked
    by the two-step incremental test (tests/python/test_incremental.py). -#}
{% test member_slice(model, of, members_with) %}
with

members as (
    select distinct member_id from {{ of }}
    where {{ members_with }}
),

expected as (
    select
        member_id,
        count(*) as rows_expected
    from {{ of }}
    where member_id in (select members.member_id from members)
    group by member_id
),

actual as (
    select
        member_id,
        count(*) as rows_found
    from {{ model }}
    group by member_id
)

select
    coalesce(expected.member_id, actual.member_id) as member_id,
    expected.rows_expected,
    actual.rows_found
from expected
full outer join actual
    on expected.member_id = actual.member_id
where expected.rows_expected is null
    or actual.rows_found is null
    or expected.rows_expected <> actual.rows_found
{% endtest %}
