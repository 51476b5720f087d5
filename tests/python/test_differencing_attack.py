"""A differencing attack on the published snapshot: nothing below min_cell_size comes back.

The attacker knows what docs/bi.md and publish/published_marts.yml say: which population cell
each published count describes (`cell`: the same cell may be shown by several marts) and which
cells add up to which total (`adds_up_to`, within and across marts). From the published values
alone the attack
- reads every cell's count from whichever mart publishes it (the same cell in two marts);
- subtracts, in every declared relation whose total is published, the published parts from the
  total (total - part, total - part1 - part2, ...): one unknown left is recovered exactly, and
  recovered cells are reused in every other relation until nothing new comes out (a total
  whose parts are all known is recovered too);
- with two or more unknown parts left, their sum is what leaks.
It asserts that no recovered cell and no such sum is a count of 1 to min_cell_size - 1
persons. Every declared relation is first checked to hold exactly on the unsuppressed working
database (a wrong declaration fails the test), and every recovered value is checked against
it (the attack computes real values).

Provider counts: no published row shows 1 to min_cell_size - 1 providers seen, nor the
services or spending of an area that has so few (the policy of docs/bi.md). The nowcast marts'
services and spending add up from the provinces (and network types) to Belgium in each as-of
date, period and first month: no hidden value there comes back as Belgium minus the published
parts, and hidden parts together rest on at least min_cell_size providers.

Run against any snapshot by hand:
    python tests/python/test_differencing_attack.py PUBLISHED.duckdb WORKING.duckdb
prints the leaks it finds (exit code 1 when there are some).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from publish_support import Built, built_warehouse

from elp_warehouse.publish import MartDeclaration, Rule, load_declarations

DECLARATIONS = Path(__file__).resolve().parents[2] / "publish" / "published_marts.yml"

Cell = tuple[str, ...]


def _sql(expr: str) -> str:
    return f'"{expr}"' if expr.isidentifier() else f"({expr})"


@dataclass
class Published:
    """Cells, their counts (published and true) and the declared relations (total, parts)."""

    published: dict[Cell, set[int]] = field(default_factory=dict)
    truth: dict[Cell, int] = field(default_factory=dict)
    relations: dict[tuple[str, int, int, Cell, Cell], set[Cell]] = field(default_factory=dict)
    where: dict[Cell, str] = field(default_factory=dict)


def _rows(
    con: duckdb.DuckDBPyConnection, mart: str, key: Iterable[str], exprs: list[str]
) -> list[tuple[object, ...]]:
    cols = [*(f'"{c}"::varchar' for c in key), *(f"({_sql(e)})::varchar" for e in exprs)]
    return con.execute(f"select {', '.join(cols)} from marts.{mart}").fetchall()


def read_cells(snapshot: Path, working_db: Path) -> Published:
    out = Published()
    for source, path in (("truth", working_db), ("published", snapshot)):
        con = duckdb.connect(str(path), read_only=True)
        try:
            marts = {
                r[0]
                for r in con.execute(
                    "select table_name from information_schema.tables where table_schema = 'marts'"
                ).fetchall()
            }
            for decl in load_declarations(DECLARATIONS, {}):
                if decl.name in marts:
                    for i, rule in enumerate(decl.rules):
                        _read_rule(out, source, con, decl, i, rule)
        finally:
            con.close()
    return out


def _read_rule(
    out: Published,
    source: str,
    con: duckdb.DuckDBPyConnection,
    decl: MartDeclaration,
    i: int,
    rule: Rule,
) -> None:
    exprs = [rule.count_column or "cast(null as integer)", *rule.cell]
    for relation in rule.adds_up_to:
        exprs += [*relation.total, *relation.siblings]
    nk = len(decl.key)
    for row in _rows(con, decl.name, decl.key, exprs):
        key, n, rest = row[:nk], row[nk], row[nk + 1 :]
        own = rest[: len(rule.cell)]
        cell: Cell = (
            tuple(str(v) for v in own)
            if rule.cell and None not in own
            else ("row", decl.name, str(i), *map(str, key))
        )
        if source == "published":
            if n is not None:
                out.published.setdefault(cell, set()).add(int(str(n)))
            continue
        if n is not None:
            out.truth[cell] = int(str(n))
        out.where.setdefault(cell, f"{decl.name}{tuple(key)}")
        pos = len(rule.cell)
        for j, relation in enumerate(rule.adds_up_to):
            total = rest[pos : pos + len(relation.total)]
            pos += len(relation.total)
            siblings = tuple(map(str, rest[pos : pos + len(relation.siblings)]))
            pos += len(relation.siblings)
            if None not in total:
                rel = (decl.name, i, j, siblings, tuple(str(v) for v in total))
                out.relations.setdefault(rel, set()).add(cell)


def attack(cells: Published, k: int) -> list[str]:
    """The leaks: recovered cells and sums of unknown parts of 1 to k - 1 persons."""
    leaks: list[str] = []
    known: dict[Cell, int] = {}
    for cell, values in cells.published.items():
        assert len(values) == 1, f"{cells.where[cell]}: published twice with {values}"
        known[cell] = next(iter(values))
    relations = [
        (rel[4], parts)
        for rel, parts in cells.relations.items()
        if rel[4] in cells.truth and all(p in cells.truth for p in parts)
    ]
    for total, parts in relations:
        assert sum(cells.truth[p] for p in parts) == cells.truth[total], (
            f"declared relation does not hold: {total} != sum of {sorted(parts)[:3]}..."
        )
    recovered: dict[Cell, int] = {}
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            unknown = [c for c in (total, *parts) if c not in known]
            if len(unknown) != 1:
                continue
            (cell,) = unknown
            if cell == total:
                value = sum(known[p] for p in parts)
            else:
                value = known[total] - sum(known[p] for p in parts if p != cell)
            assert value == cells.truth[cell], f"attack computed a wrong value for {cell}"
            known[cell] = recovered[cell] = value
            changed = True
    for cell, value in sorted(recovered.items()):
        if 0 < value < k:
            leaks.append(f"recovered {cells.where[cell]} {cell}: {value} persons")
    for total, parts in relations:
        unknown = [p for p in parts if p not in known]
        if total in known and len(unknown) >= 2:
            rest = known[total] - sum(known[p] for p in parts if p in known)
            if 0 < rest < k:
                leaks.append(
                    f"sum of {len(unknown)} suppressed parts of {total}: {rest} persons "
                    f"({', '.join(cells.where[p] for p in unknown[:3])})"
                )
    return leaks


def provider_leaks(snapshot: Path, working_db: Path, k: int) -> list[str]:
    """Published provider counts, services or spending of areas with 1 to k - 1 providers."""
    con = duckdb.connect(str(snapshot), read_only=True)
    con.execute(f"attach '{working_db}' as src (read_only)")
    try:
        overview = con.execute(
            f"""
            select p.year, p.province_code, w.providers_seen_observed
            from marts.mart_elp_province_overview as p
            join src.marts.mart_elp_province_overview as w using (year, province_code)
            where w.providers_seen_observed between 1 and {k - 1}
                and (p.providers_seen_observed is not null or p.services_observed is not null
                    or p.spending_eur_extrapolated is not null
                    or p.services_per_provider is not null)
            """
        ).fetchall()
        mix = con.execute(
            f"""
            select distinct p.year, p.area, w.providers_seen_observed
            from marts.mart_elp_services_mix as p
            join src.marts.mart_elp_province_overview as w
                on w.year = p.year and w.province_code = p.area
            where w.providers_seen_observed between 1 and {k - 1}
                and (p.services_observed is not null or p.area_services_extrapolated is not null)
            """
        ).fetchall()
    finally:
        con.close()
    return [f"province overview {r}: activity of {r[2]} providers" for r in overview] + [
        f"services mix {r}: activity of {r[2]} providers" for r in mix
    ]


# nowcast mart: (key, a value that adds up from the areas to Belgium, what else the provider
# rule hides, the rows the provider rule applies to, the group of areas adding up)
NOWCAST_PROVIDER_RULES = {
    "mart_elp_nowcast": (
        ["as_of_date", "period", "period_start", "area_type", "area"],
        "services_extrapolated",
        ["services_observed", "spending_eur_extrapolated", "spending_eur_completed"],
        "true",
        ["as_of_date", "period", "period_start"],
    ),
    "mart_elp_budget_projection": (
        ["year", "area_type", "area"],
        "spending_eur_to_date",
        ["spending_eur_projected", "services_projected", "budget_utilisation_projected"],
        "true",
        ["year"],
    ),
    "mart_elp_nowcast_backtest": (
        ["as_of_date", "period", "period_start", "measure", "area_type", "area"],
        "booked_value",
        ["projection", "final_value"],
        "w.measure <> 'users'",
        ["as_of_date", "period", "period_start", "measure"],
    ),
}


def nowcast_provider_leaks(snapshot: Path, working_db: Path, k: int) -> list[str]:
    """Nowcast rows showing the activity of 1 to k - 1 providers, directly or by differencing."""
    con = duckdb.connect(str(snapshot), read_only=True)
    con.execute(f"attach '{working_db}' as src (read_only)")
    leaks: list[str] = []
    try:
        for mart, (key, additive, others, applies, group) in NOWCAST_PROVIDER_RULES.items():
            on = " and ".join(f"w.{c} = p.{c}" for c in key)
            shown = " or ".join(
                f"p.{c} is not null" for c in [additive, *others, "providers_observed"]
            )
            rows = con.execute(
                f"""
                select {", ".join(f"w.{c}" for c in key)}, w.providers_observed
                from src.marts.{mart} as w join marts.{mart} as p on {on}
                where {applies} and w.providers_observed between 1 and {k - 1} and ({shown})
                """
            ).fetchall()
            leaks += [f"{mart} {r}: activity of {r[-1]} providers shown" for r in rows]
            # Belgium minus the published provinces (network types): one hidden part comes
            # back exactly; several together must rest on k providers or more
            g = ", ".join(f"w.{c}" for c in group)
            rows = con.execute(
                f"""
                select {g}, w.area_type, count(*) filter (where p.{additive} is null),
                    sum(w.providers_observed) filter (where p.{additive} is null)
                from src.marts.{mart} as w join marts.{mart} as p on {on}
                where {applies} and w.area_type <> 'total'
                    and exists (
                        select 1 from marts.{mart} as t
                        where t.area_type = 'total' and t.{additive} is not null
                            and {" and ".join(f"t.{c} = w.{c}" for c in group)}
                    )
                group by {g}, w.area_type
                having count(*) filter (where p.{additive} is null) = 1
                    or sum(w.providers_observed) filter (where p.{additive} is null)
                    between 1 and {k - 1}
                """
            ).fetchall()
            leaks += [f"{mart} {r[:-2]}: {r[-2]} hidden part(s), {r[-1]} providers" for r in rows]
    finally:
        con.close()
    return leaks


def _min_cell_size(snapshot: Path) -> int:
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        return int(con.execute("select min_cell_size from meta.snapshot").fetchall()[0][0])
    finally:
        con.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return built_warehouse(tmp_path_factory)


def test_no_small_cell_is_recovered_by_differencing(built: Built) -> None:
    snapshot, working = built.snapshot, built.working_db
    k = _min_cell_size(snapshot)
    cells = read_cells(snapshot, working)
    # the attack has material: relations across marts with a published total, and hidden cells
    assert len(cells.relations) > 100
    assert any(v is not None for v in cells.published)
    assert len(cells.truth) > len(cells.published)
    leaks = attack(cells, k)
    assert leaks == [], f"{len(leaks)} leaks: " + "\n".join(leaks[:20])
    assert provider_leaks(snapshot, working, k) == []
    assert nowcast_provider_leaks(snapshot, working, k) == []
    # the nowcast marts' users cells are attacked too (provinces add up to Belgium), and the
    # provider rule has material: a published cell hiding the services of too few providers
    assert any(rel[0] == "mart_elp_nowcast_backtest" for rel in cells.relations)
    assert any(cell[0] == "nowcast_providers" for cell in cells.truth)
    assert len(cells.truth) > len(cells.published)


def test_the_nowcast_attack_finds_a_planted_leak(built: Built, tmp_path: Path) -> None:
    """A copy of the snapshot whose provinces hidden only to protect another (enough providers
    and users) show their services again: the other comes back as Belgium minus the rest."""
    k = _min_cell_size(built.snapshot)
    copy = tmp_path / "published.duckdb"
    copy.write_bytes(built.snapshot.read_bytes())
    con = duckdb.connect(str(copy))
    con.execute(f"attach '{built.working_db}' as src (read_only)")
    try:
        planted = con.execute(
            f"""
            update marts.mart_elp_nowcast as p
            set services_extrapolated = w.services_extrapolated
            from src.marts.mart_elp_nowcast as w
            where p.services_extrapolated is null and w.area_type = 'province'
                and w.providers_observed >= {k} and w.users_observed >= {k}
                and (w.as_of_date, w.period, w.period_start, w.area_type, w.area)
                = (p.as_of_date, p.period, p.period_start, p.area_type, p.area)
            returning p.area
            """
        ).fetchall()
    finally:
        con.close()
    assert planted, "the published nowcast hides no province's services to protect another"
    leaks = nowcast_provider_leaks(copy, built.working_db, k)
    assert any("1 hidden part" in leak for leak in leaks), leaks


def test_the_attack_finds_a_planted_leak(built: Built) -> None:
    """The same attack on the unsuppressed marts with one cell blanked recovers that cell."""
    cells = read_cells(built.working_db, built.working_db)
    small = next(
        part
        for (*_, total), parts in sorted(cells.relations.items())
        for part in sorted(parts)
        if total in cells.truth and 0 < cells.truth.get(part, 0) < 5
    )
    cells.published.pop(small)
    assert any(str(small) in leak for leak in attack(cells, 5))


def main(argv: list[str]) -> int:
    snapshot, working = Path(argv[0]), Path(argv[1])
    k = _min_cell_size(snapshot)
    cells = read_cells(snapshot, working)
    leaks = (
        attack(cells, k)
        + provider_leaks(snapshot, working, k)
        + nowcast_provider_leaks(snapshot, working, k)
    )
    print("\n".join(leaks))
    print(f"{len(leaks)} leaks (k = {k}, {len(cells.relations)} relations)")
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
