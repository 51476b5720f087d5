{#- Incremental builds of the member-year tables (docs/incremental.md), by YEAR. The member
    tables carry no booking date, but a member-year row belongs to one year and every rule
    applied to it (contract rules, the (member_id, year) duplicate rule, the arrondissement of
    that year, the weighting cells of that year) looks at that year only. So a year whose
    input is unchanged keeps its rows, and a changed year is rebuilt whole.

    A year's input is identified by a 64-bit fingerprint stored on each of its rows
    (`year_fingerprint`): a hash of the year, its row count and a sum of row hashes of its
    input, so any added, removed or edited row changes it. Each night the pre-hook deletes the
    rows whose fingerprint is no longer current (changed or vanished years; base_members_yearly
    does it without a second pass over the extract, see vanished_years_delete); the model then
    inserts the years whose current fingerprint the table did not hold. Those years are read
    from the warehouse when the model is compiled, before the pre-hook runs, and written into
    its SQL as a list of constants, so that the engine skips the other years' files and row
    groups (a join against the table's years would read them all). Rules and seeds are not in
    the fingerprint: after changing one, build with --full-refresh. -#}

{#- The two order-independent aggregates a fingerprint is made of, over the rows of a group:
    `row_count` and `hash_sum`, a sum of row hashes modulo a prime (which keeps the sum within
    a 64-bit integer on every engine). -#}
{% macro rows_fingerprint_parts(columns) -%}
    count(*) as row_count,
    sum({{ elp_warehouse.row_hash(columns) }} % 1000000007) as hash_sum
{%- endmacro %}

{#- The year of a raw row as the fingerprints group it: -1 for a missing year. -#}
{% macro fingerprint_year(year_column='year') -%}
    coalesce(cast({{ year_column }} as {{ dbt.type_int() }}), -1)
{%- endmacro %}

{#- One row per analysis year of int_member_cells: `year` and `year_fingerprint`, the raw
    members_yearly fingerprint base_members_yearly keeps for the year's valid rows. -#}
{% macro member_cell_year_fingerprints(years=none) -%}
    select distinct
        year,
        year_fingerprint
    from {{ ref('base_members_yearly') }}
    where
        rejection_rule is null
        and year between {{ var('first_year') }} and {{ var('last_year') }}
        and {{ elp_warehouse.years_filter('year', years) }}
{%- endmacro %}

{#- One row per analysis year of int_member_years: `year` and `year_fingerprint`, a hash of
    the year's raw members_yearly fingerprint (kept on base_members_yearly) and of its
    weighting cells (a new IMA population year re-weights years whose members did not change). -#}
{% macro member_year_fingerprints(years=none) -%}
    {%- set cell_columns = [
        'age_band', 'sex', 'province_code', 'vt', 'population_year', 'weighting_group',
        'group_population', 'group_members', 'weight', 'extrapolation_factor', 'expansion_factor',
    ] -%}
    select
        members.year,
        {{ elp_warehouse.row_hash(['members.year_fingerprint', 'cells.row_count', 'cells.hash_sum']) }}
            as year_fingerprint
    from (
        {{ elp_warehouse.member_cell_year_fingerprints(years) | indent(8) }}
    ) as members
    inner join (
        select
            year,
            {{ elp_warehouse.rows_fingerprint_parts(cell_columns) | indent(12) }}
        from {{ ref('int_weighting_cells') }}
        where {{ elp_warehouse.years_filter('year', years) }}
        group by year
    ) as cells
        on members.year = cells.year
{%- endmacro %}

{#- The years an incremental run must build: the years of `fingerprints_sql` (one row per
    year: `year_column`, `year_fingerprint`) whose fingerprint the table does not hold, i.e.
    new and changed years. Read at compilation, before the pre-hook deletes the stale years.
    none = build every year (first build, --full-refresh, compile without a warehouse). -#}
{% macro years_to_build(fingerprints_sql, year_column='year') -%}
    {%- if not (execute and is_incremental()) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- do elp_warehouse.require_incremental_columns(['year_fingerprint', 'loaded_at']) -%}
    {%- set found = run_query(
        'select distinct ' ~ year_column ~ ' from (' ~ fingerprints_sql ~ ') as current_years'
        ~ ' where year_fingerprint not in (select distinct kept.year_fingerprint from '
        ~ this ~ ' as kept where kept.year_fingerprint is not null) order by 1') -%}
    {{ return(found.columns[0].values() | map('int') | list) }}
{%- endmacro %}

{#- Condition keeping the rows of `years` (from years_to_build) on `year_column`: true when
    none (every year), false when empty. Written as constants so that the engine prunes by
    them; year -1 stands for a missing year. -#}
{% macro years_filter(year_column, years) -%}
    {%- if years is none -%}
        true
    {%- elif years | length == 0 -%}
        1 = 0
    {%- else -%}
        {%- set known = years | reject('equalto', -1) | list -%}
        {%- set conditions = [] -%}
        {%- if known | length > 0 -%}
            {%- do conditions.append(year_column ~ ' in (' ~ known | join(', ') ~ ')') -%}
        {%- endif -%}
        {%- if -1 in years -%}
            {%- do conditions.append(year_column ~ ' is null') -%}
        {%- endif -%}
        ({{ conditions | join(' or ') }})
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook: removes the rows of years whose fingerprint is not among `fingerprints_sql`'s. -#}
{% macro stale_years_delete(fingerprints_sql) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where year_fingerprint not in (
            select current_years.year_fingerprint from ({{ fingerprints_sql }}) as current_years
        )
    {%- endif -%}
{%- endmacro %}

{#- For base_members_yearly, which keeps every row it reads (rejected ones flagged), so that
    each year it builds gets rows: the stale years are removed without fingerprinting the
    extract a second time. Pre-hook: removes the years the extract's files no longer hold
    (`files`: base_members_yearly_files, built before). -#}
{% macro vanished_years_delete(files) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ elp_warehouse.fingerprint_year() }} not in (
            select current_years.fingerprint_year
            from ({{ elp_warehouse.file_year_fingerprints(files) }}) as current_years
        )
    {%- endif -%}
{%- endmacro %}

{#- One row per year of int_member_years (from `first_year` on, if given; restricted to `years`):
    `year` and the `year_fingerprint` the table holds for it, the input of the fingerprints of
    the models built on it. -#}
{% macro member_years_stored_fingerprints(years=none, first_year=none) -%}
    select distinct
        year,
        year_fingerprint
    from {{ ref('int_member_years') }}
    where
        {% if first_year is not none -%}
        year >= {{ first_year }} and
        {% endif -%}
        {{ elp_warehouse.years_filter('year', years) }}
{%- endmacro %}

{#- int_usage_strata counts the member-years of a year per weighting group (and breakdown
    categories), so a (year, weighting group) pair can be counted again alone. A pair is
    counted again when its year's int_member_years fingerprint changed (the whole year, see
    years_to_build) or when a member-year of the pair changed in int_member_year_care. A night
    rewrites the care of a few hundred thousand member-years, nearly all in the latest years:
    the latest year's every pair changes, but an older year's corrections touch a few pairs.
    The pairs are found from the units (member, year) loaded into `upstreams` (the tables
    int_member_year_care rebuilds from, which name the units whose care vanished, and
    int_member_year_care itself) since the table's latest load, read at compilation like the
    years to build and written into the SQL as constants.
    Returns {year: [weighting groups]} for the years not in `build_years`, or none to count
    every year (first build, an upstream rebuilt whole). -#}
{% macro changed_weighting_groups(upstreams, build_years) %}
    {%- set watermark = elp_warehouse.loaded_watermark() -%}
    {%- if build_years is none or watermark is none
        or elp_warehouse.upstream_rebuilt_since(upstreams, watermark) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query(elp_warehouse.changed_weighting_groups_sql(
        elp_warehouse.units_loaded_since(upstreams, watermark), build_years)) -%}
    {%- set groups = {} -%}
    {%- for row in found.rows -%}
        {%- do groups.setdefault(row[0] | int, []).append(row[1]) -%}
    {%- endfor -%}
    {{ return(groups) }}
{% endmacro %}

{#- The (year, weighting_group) pairs of int_member_years holding a unit of `units` (SQL with
    unit_member, unit_year), in the analysis years outside `build_years`. -#}
{% macro changed_weighting_groups_sql(units, build_years) -%}
    with changed_units as {{ elp_warehouse.cte_hint('materialize') }} (
        {{- units | indent(8) }}
    )
    select distinct
        year,
        weighting_group
    from {{ ref('int_member_years') }}
    where
        -- a lower bound on the year: int_member_years is written year by year, so the
        -- engine skips the row groups of the years before the earliest changed one
        year >= (select min(unit_year) from changed_units where unit_year <> -1)
        and year <= {{ var('last_year') }}
        and not ({{ elp_warehouse.years_filter("year", build_years) }})
        and (member_id, year) in (select unit_member, unit_year from changed_units)
    order by year, weighting_group
{%- endmacro %}

{#- Condition on int_member_years keeping the member-years to count: those of `build_years`
    and of the pairs of `groups` (changed_weighting_groups); true when none. -#}
{% macro weighting_groups_filter(build_years, groups) -%}
    {%- if groups is none -%}
        true
    {%- else -%}
        {%- set conditions = [elp_warehouse.years_filter('year', build_years)] -%}
        {%- for year, names in groups.items() -%}
            {%- set quoted = [] -%}
            {%- for name in names -%}
                {%- do quoted.append("'" ~ name | replace("'", "''") ~ "'") -%}
            {%- endfor -%}
            {%- do conditions.append('(year = ' ~ year ~ ' and weighting_group in ('
                ~ quoted | join(', ') ~ '))') -%}
        {%- endfor -%}
        ({{ conditions | join('\n    or ') }})
    {%- endif -%}
{%- endmacro %}

{#- The years counted under (build_years, groups): none for every year. -#}
{% macro counted_years(build_years, groups) %}
    {%- if groups is none -%}{{ return(none) }}{%- endif -%}
    {{ return((build_years + groups.keys() | list) | unique | sort) }}
{% endmacro %}

{#- The (member_id, year) pairs of the analysis years (elp_start_year to last_year) with at least
    one ELP service (session or trajectory service), from the ELP users' events; restricted to
    `years` (see years_filter). The same ELP use as int_member_year_care's `has_elp`. -#}
{% macro elp_user_year_pairs(years=none) -%}
    select distinct
        member_id,
        year
    from {{ ref('int_elp_user_events') }}
    where
        {{ elp_warehouse.elp_service_condition() }}
        and year between {{ var('elp_start_year') }} and {{ var('last_year') }}
        and {{ elp_warehouse.years_filter('year', years) }}
{%- endmacro %}

{#- One row per ELP analysis year of int_elp_user_years: `year` and `year_fingerprint`, a hash
    of the year's int_member_years fingerprint and of the year's ELP users (count and hash sum
    of their ids). A night that adds no ELP user to a year and leaves its member-years as they
    were keeps the year. -#}
{% macro elp_user_year_fingerprints(years=none) -%}
    select
        members.year,
        {{ elp_warehouse.row_hash(['members.year_fingerprint', 'users.row_count', 'users.hash_sum']) }}
            as year_fingerprint
    from (
        {{ elp_warehouse.member_years_stored_fingerprints(years, var('elp_start_year')) | indent(8) }}
    ) as members
    left join (
        select
            year,
            {{ elp_warehouse.rows_fingerprint_parts(['member_id']) | indent(12) }}
        from ({{ elp_warehouse.elp_user_year_pairs(years) }}) as pairs
        group by year
    ) as users
        on members.year = users.year
{%- endmacro %}
