{#- `model` holds, per member, exactly as many rows as `of` for the members with at least one
    row of `of` meeting `members_with` (a condition), and no other member. A failing row names
    the member and both counts. Counts rather than values: the slice's values are checked by
    the two-step incremental test (tests/python/test_incremental.py).
    Scoped (meta test_scope: member, docs/incremental.md): only the members with a row loaded
    since the last clean build in `model` or in `of` (both carry loaded_at); every other member
    is in both as that build tested it. -#}
{% test member_slice(model, of, members_with) %}
{%- set table = elp_warehouse.scoped_test_relation(model) -%}
{%- set since = elp_warehouse.last_clean_build_started_at() if table is not none else none -%}
{%- set in_scope = 'true' -%}
with

{% if since is not none -%}
-- the members written since the last clean build: `model` is already restricted to them
scope as (
    select member_id from {{ model }}
    union
    select member_id from {{ of }}
    where loaded_at > {{ since }}
),

{% set in_scope = 'member_id in (select scope.member_id from scope)' -%}
{% endif -%}
members as (
    select distinct member_id from {{ of }}
    where {{ members_with }} and {{ in_scope }}
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
    from {{ table if table is not none else model }}
    where {{ in_scope }}
    group by member_id
)

select
    coalesce(expected.member_id, actual.member_id) as member_id,
    expected.rows_expected,
    actual.rows_found
from expected
full outer join actual
    on expected.member_id = actual.member_id
where
    expected.rows_expected is null
    or actual.rows_found is null
    or expected.rows_expected <> actual.rows_found
{% endtest %}
