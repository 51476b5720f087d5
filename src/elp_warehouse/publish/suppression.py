"""Small-cell suppression of one mart, as SQL on DuckDB.

Suppression, per rule of a mart (`count_column`, `value_columns`, `complementary_groups`):
- primary: a row whose count (observed persons) is below `min_cell_size` has the count and
  the rule's value columns set to null;
- complementary: within every sibling group (rows sharing the group's partition values, i.e.
  cells that add up to a published total), while a group has exactly one suppressed cell, or
  its suppressed cells together rest on fewer than `min_cell_size` persons, the smallest
  unsuppressed cell of the group is suppressed too; repeated over all groups until stable.
- `is_suppressed` is true on every row where at least one value was nulled.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from elp_warehouse.publish.declarations import MartDeclaration
from elp_warehouse.publish.errors import PublishError
from elp_warehouse.publish.names import SIMPLE_NAME, quote


def _column_sql(expr: str) -> str:
    return quote(expr) if SIMPLE_NAME.match(expr) else f"({expr})"


def suppressed_select(
    con: duckdb.DuckDBPyConnection,
    source: str,
    decl: MartDeclaration,
    columns: Sequence[str],
    min_cell_size: int,
    max_passes: int = 50,
) -> str:
    """Prepare work table `_supp_<mart>` in `con` and return the SELECT of the published rows.

    `source` is the qualified source table; `columns` its columns in order.
    """
    work = quote(f"_supp_{decl.name}")
    order = ", ".join(quote(c) for c in decl.key)
    # a mart may flag rows itself (`is_suppressed`): they are suppressed by every rule
    flagged = " or coalesce(is_suppressed, false)" if "is_suppressed" in columns else ""
    counts = ", ".join(
        f"({rule.count_sql}) as _cnt_{i}, (coalesce(({rule.count_sql}), 0) < {min_cell_size}"
        f"{flagged}) as _sup_{i}"
        for i, rule in enumerate(decl.rules)
    )
    con.execute(
        f"create or replace temp table {work} as select row_number() over (order by {order}) "
        f"as _rid, * {', ' + counts if counts else ''} from {source}"
    )
    for _ in range(max_passes):
        changed = 0
        for i, rule in enumerate(decl.rules):
            for group in rule.complementary_groups:
                changed += _complementary_pass(con, work, i, group, min_cell_size)
        if changed == 0:
            break
    else:
        raise PublishError(f"{decl.name}: complementary suppression did not settle")

    nulled_by: dict[str, list[int]] = {}
    for i, rule in enumerate(decl.rules):
        for col in rule.nulled:
            nulled_by.setdefault(col, []).append(i)
    out: list[str] = []
    for col in columns:
        if col in decl.exclude_columns or col == "is_suppressed":
            continue
        rules = nulled_by.get(col)
        if rules:
            cond = " or ".join(f"_sup_{i}" for i in rules)
            out.append(f"case when {cond} then null else {quote(col)} end as {quote(col)}")
        else:
            out.append(quote(col))
    flags = [f"_sup_{i}" for i in range(len(decl.rules))]
    if "is_suppressed" in columns and not flags:
        flags.append("coalesce(is_suppressed, false)")
    out.append(f"({' or '.join(flags) if flags else 'false'}) as is_suppressed")
    return f"select {', '.join(out)} from {work} order by _rid"


def _complementary_pass(
    con: duckdb.DuckDBPyConnection, work: str, i: int, group: Sequence[str], k: int
) -> int:
    parts = [f"{_column_sql(g)} as _g{j}" for j, g in enumerate(group)]
    gcols = [f"_g{j}" for j in range(len(group))]
    not_null = " and ".join(f"{g} is not null" for g in gcols)
    sql = f"""
        with cells as (
            select _rid, {", ".join(parts)}, coalesce(_cnt_{i}, 0) as cnt, _sup_{i} as sup
            from {work}
        ),
        grouped as (select * from cells where {not_null}),
        stats as (
            select {", ".join(gcols)},
                count(*) filter (where sup) as n_sup,
                coalesce(sum(cnt) filter (where sup), 0) as sum_sup
            from grouped
            group by all
        ),
        candidates as (
            select grouped._rid,
                row_number() over (
                    partition by {", ".join("grouped." + g for g in gcols)}
                    order by grouped.cnt, grouped._rid
                ) as rn
            from grouped
            inner join stats using ({", ".join(gcols)})
            where not grouped.sup and stats.n_sup > 0 and (stats.n_sup = 1 or stats.sum_sup < {k})
        )
        select _rid from candidates where rn = 1
    """
    rids = [r[0] for r in con.execute(sql).fetchall()]
    if rids:
        con.execute(
            f"update {work} set _sup_{i} = true where _rid in (select unnest(?::bigint[]))",
            [rids],
        )
    return len(rids)
