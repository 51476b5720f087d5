"""Small-cell suppression of everything published, as one problem over all marts.

A rule of a mart (`count_column`, `value_columns`, `cell`, `adds_up_to`,
`complementary_groups`) gives each row a *cell*: the population its count describes. A rule
with a `cell` key shares the cell with every row of any mart giving the same key (the users of
a province in a year are one cell, whether mart_elp_usage or mart_elp_province_overview shows
them); without one, each row is a cell of its own.
- primary: a cell is suppressed when one of its rows counts fewer than `min_cell_size`
  persons (or none), or is flagged by its mart (`is_suppressed`);
- complementary: a sibling set is the parts of a declared total (`adds_up_to`, across marts;
  the total is a cell too when a mart shows it) or a `complementary_groups` set (its total is
  taken as published). While a set has exactly one suppressed member (the total included), or
  its suppressed parts rest on fewer than `min_cell_size` persons together, the smallest open
  part is suppressed too (the total when no part is left); all sets of all marts are repeated
  until nothing changes;
- then every row of a suppressed cell has the rule's count and value columns nulled, in every
  mart, and `is_suppressed` is true on every row where at least one value was nulled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb

from elp_warehouse.publish.declarations import MartDeclaration, Rule
from elp_warehouse.publish.errors import PublishError
from elp_warehouse.publish.names import SIMPLE_NAME, quote

Cell = tuple[str, ...]


def _column_sql(expr: str) -> str:
    return quote(expr) if SIMPLE_NAME.match(expr) else f"({expr})"


def suppressed_select(
    con: duckdb.DuckDBPyConnection,
    source: str,
    decl: MartDeclaration,
    columns: Sequence[str],
    min_cell_size: int,
    max_passes: int = 200,
) -> str:
    """One mart suppressed on its own (see `suppressed_selects`)."""
    return suppressed_selects(con, [(decl, source, columns)], min_cell_size, max_passes)[decl.name]


def suppressed_selects(
    con: duckdb.DuckDBPyConnection,
    marts: Sequence[tuple[MartDeclaration, str, Sequence[str]]],
    min_cell_size: int,
    max_passes: int = 200,
) -> dict[str, str]:
    """Prepare work table `_supp_<mart>` of every mart in `con`, suppress them together and
    return each mart's SELECT of its published rows.

    `marts`: (declaration, qualified source table, the source's columns in order).
    """
    for decl, source, columns in marts:
        _prepare(con, source, decl, columns, min_cell_size)
    _Problem(min_cell_size).solve(con, [decl for decl, _, _ in marts], max_passes)
    return {decl.name: _select(decl, columns) for decl, _, columns in marts}


def _work(decl: MartDeclaration) -> str:
    return quote(f"_supp_{decl.name}")


def _prepare(
    con: duckdb.DuckDBPyConnection,
    source: str,
    decl: MartDeclaration,
    columns: Sequence[str],
    k: int,
) -> None:
    order = ", ".join(quote(c) for c in decl.key)
    # a mart may flag rows itself (`is_suppressed`): they are suppressed by every rule
    flagged = " or coalesce(is_suppressed, false)" if "is_suppressed" in columns else ""
    counts = ", ".join(
        f"({rule.count_sql}) as _cnt_{i}, (coalesce(({rule.count_sql}), 0) < {k}"
        f"{flagged}) as _sup_{i}"
        for i, rule in enumerate(decl.rules)
    )
    con.execute(
        f"create or replace temp table {_work(decl)} as select row_number() over (order by "
        f"{order}) as _rid, * {', ' + counts if counts else ''} from {source}"
    )


def _select(decl: MartDeclaration, columns: Sequence[str]) -> str:
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
    return f"select {', '.join(out)} from {_work(decl)} order by _rid"


@dataclass
class _Group:
    """Sibling cells adding up to a total (a cell, or None: taken as published)."""

    total: Cell | None
    parts: dict[Cell, None] = field(default_factory=dict)  # ordered, without repeats


@dataclass
class _Problem:
    k: int
    count: dict[Cell, int] = field(default_factory=dict)
    hidden: dict[Cell, bool] = field(default_factory=dict)
    order: dict[Cell, int] = field(default_factory=dict)
    # (mart, rule) -> (row id, cell) of each row
    rows: dict[tuple[str, int], list[tuple[int, Cell]]] = field(default_factory=dict)
    # one list of groups per declared sibling set, in the declarations' order
    specs: list[list[_Group]] = field(default_factory=list)

    def solve(
        self, con: duckdb.DuckDBPyConnection, decls: Sequence[MartDeclaration], passes: int
    ) -> None:
        relations: list[_Group] = []
        for decl in decls:
            for i, rule in enumerate(decl.rules):
                relations += self._read(con, decl, i, rule)
        # a declared total takes part only when some mart shows it (else: taken as published)
        for group in relations:
            if group.total not in self.count:
                group.total = None
        for _ in range(passes):
            if not sum(self._pass(spec) for spec in self.specs):
                break
        else:
            raise PublishError("complementary suppression did not settle")
        for decl in decls:
            for i in range(len(decl.rules)):
                rids = [rid for rid, cell in self.rows[(decl.name, i)] if self.hidden[cell]]
                con.execute(
                    f"update {_work(decl)} set _sup_{i} = true "
                    "where _rid in (select unnest(?::bigint[]))",
                    [rids],
                )

    def _read(
        self, con: duckdb.DuckDBPyConnection, decl: MartDeclaration, i: int, rule: Rule
    ) -> list[_Group]:
        """Register the rule's cells and sibling sets; return the sets with a declared total."""
        sets: list[tuple[str, ...]] = [rule.cell, *rule.complementary_groups]
        sets += [(*r.total, *r.siblings) for r in rule.adds_up_to]
        exprs = "".join(f", ({_column_sql(e)})::varchar" for part in sets for e in part)
        rows = con.execute(
            f"select _rid, coalesce(_cnt_{i}, 0), _sup_{i}{exprs} from {_work(decl)} order by _rid"
        ).fetchall()
        mine = self.rows.setdefault((decl.name, i), [])
        groups: list[dict[Cell, _Group]] = [{} for _ in rule.complementary_groups]
        relations: list[dict[Cell, _Group]] = [{} for _ in rule.adds_up_to]
        for rid, cnt, sup, *values in rows:
            keys: list[Cell] = []
            for part in sets:
                keys.append(tuple(values[: len(part)]))
                values = values[len(part) :]
            own, *rest = keys
            cell = (
                ("c", *own) if rule.cell and None not in own else ("r", decl.name, str(i), str(rid))
            )
            self._add(cell, int(cnt), bool(sup))
            mine.append((int(rid), cell))
            for found, key in zip(groups, rest, strict=False):
                if None not in key:
                    found.setdefault(key, _Group(None)).parts[cell] = None
            for found, rel, key in zip(
                relations, rule.adds_up_to, rest[len(groups) :], strict=True
            ):
                if None not in key:
                    total = ("c", *key[: len(rel.total)])
                    found.setdefault(key, _Group(total)).parts[cell] = None
        self.specs += [list(found.values()) for found in (*groups, *relations)]
        return [group for found in relations for group in found.values()]

    def _add(self, cell: Cell, count: int, hidden: bool) -> None:
        """A cell's count is the smallest of its rows' counts, hidden when one row is."""
        if cell in self.count:
            self.count[cell] = min(self.count[cell], count)
            self.hidden[cell] = self.hidden[cell] or hidden
        else:
            self.count[cell], self.hidden[cell], self.order[cell] = count, hidden, len(self.order)

    def _pass(self, spec: list[_Group]) -> int:
        """Suppress one more part in every group of the set that gives a cell away."""
        chosen: set[Cell] = set()
        for group in spec:
            hidden = [p for p in group.parts if self.hidden[p]]
            total_hidden = group.total is not None and self.hidden[group.total]
            n = len(hidden) + total_hidden
            if n == 0 or (n > 1 and (total_hidden or sum(self.count[p] for p in hidden) >= self.k)):
                continue
            open_parts = [p for p in group.parts if not self.hidden[p]]
            if open_parts:
                chosen.add(min(open_parts, key=lambda c: (self.count[c], self.order[c])))
            elif group.total is not None and not total_hidden:
                chosen.add(group.total)
        for cell in chosen:
            self.hidden[cell] = True
        return len(chosen)
