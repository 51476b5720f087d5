"""The published snapshot of a real build: only declared marts, no person-level table, no
identifier column or value, every value resting on >= min_cell_size persons (re-derived from
the working database), and complementary suppression holding on the real sibling groups."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from publish_support import Built, built_warehouse

from elp_warehouse.publish import (
    IDENTIFIER_NAME,
    load_declarations,
    publish,
)

DECLARATIONS = Path(__file__).resolve().parents[2] / "publish" / "published_marts.yml"
SNAPSHOT_TABLES = Path(__file__).resolve().parents[2] / "publish" / "snapshot_tables.yml"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return built_warehouse(tmp_path_factory)


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _published_marts(db: Path) -> list[str]:
    return [
        r[0]
        for r in _rows(
            db,
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by 1",
        )
    ]


def test_snapshot_holds_exactly_the_declared_marts(built: Built) -> None:
    manifest = json.loads(built.manifest.read_text())
    declared = {d.name for d in load_declarations(DECLARATIONS, manifest)}
    published = _published_marts(built.snapshot)
    assert published, "nothing published"
    assert set(published) <= declared
    # every final (non-draft) declaration is published
    finals = {d.name for d in load_declarations(DECLARATIONS, manifest) if not d.draft}
    assert finals <= set(published)
    schemas = {
        r[0]
        for r in _rows(
            built.snapshot, "select distinct table_schema from information_schema.tables"
        )
    }
    assert schemas <= {"marts", "meta", "reference"}
    meta = _rows(built.snapshot, "select mart, row_count from meta.published_marts order by 1")
    assert [m for m, _ in meta] == published
    for mart, n in meta:
        assert _rows(built.snapshot, f"select count(*) from marts.{mart}") == [(n,)]
        parquet = built.warehouse_dir / "published" / f"{mart}.parquet"
        con = duckdb.connect()
        assert con.execute(f"select count(*) from '{parquet}'").fetchall() == [(n,)]
        con.close()


def test_no_person_level_table_or_identifier(built: Built) -> None:
    tables = _rows(
        built.snapshot,
        "select table_schema, table_name from information_schema.tables order by all",
    )
    columns = _rows(
        built.snapshot,
        "select table_schema, table_name, column_name, data_type "
        "from information_schema.columns order by all",
    )
    for schema, table, column, _ in columns:
        assert not IDENTIFIER_NAME.search(column), f"{schema}.{table}.{column}"
    members = _rows(
        built.working_db, "select count(distinct member_id) from staging.stg_members_yearly"
    )[0][0]
    # aggregated: fewer rows than persons in any published table (mart_population_weights has
    # one row per weighting cell; a person-level table would have one per member)
    person_years = _rows(built.working_db, "select count(*) from staging.stg_members_yearly")[0][0]
    for schema, table in tables:
        n = _rows(built.snapshot, f"select count(*) from {schema}.{table}")[0][0]
        assert n < person_years, f"{schema}.{table} has as many rows as member-years"
    # no member id (nor any other record id of the extract) appears as a value anywhere
    con = duckdb.connect(str(built.snapshot), read_only=True)
    con.execute(f"attach '{built.working_db}' as src (read_only)")
    ids = (
        "select member_id as v from src.staging.stg_members_yearly union "
        "select provider_id from src.staging.stg_claims where provider_id is not null union "
        "select claim_id from src.staging.stg_claims"
    )
    try:
        for schema, table, column, data_type in columns:
            if data_type != "VARCHAR":
                continue
            hits = con.execute(
                f'select count(*) from {schema}.{table} where "{column}" in ({ids})'
            ).fetchall()[0][0]
            assert hits == 0, f"{schema}.{table}.{column} holds extract identifiers"
    finally:
        con.close()
    assert members > 0


def _check_rules(built: Built, snapshot: Path, k: int) -> int:
    """Every non-null value of a rule rests on >= k persons; returns the cells checked."""
    manifest = json.loads(built.manifest.read_text())
    checked = 0
    published = set(_published_marts(snapshot))
    con = duckdb.connect(str(snapshot), read_only=True)
    con.execute(f"attach '{built.working_db}' as src (read_only)")
    try:
        for decl in load_declarations(DECLARATIONS, manifest):
            if decl.name not in published:
                continue
            on = " and ".join(f'p."{c}" is not distinct from w."{c}"' for c in decl.key)
            for rule in decl.rules:
                count = rule.count_expression or f'"{rule.count_column}"'
                source = f"(select *, ({count}) as _cnt from src.marts.{decl.name})"
                for col in rule.nulled:
                    bad = con.execute(
                        f"select count(*) from marts.{decl.name} as p join {source} as w on {on} "
                        f'where p."{col}" is not null and coalesce(w._cnt, 0) < {k}'
                    ).fetchall()[0][0]
                    assert bad == 0, f"{decl.name}.{col}: {bad} values on < {k} persons"
                    checked += 1
                # complementary: every sibling group with a suppressed cell has >= 2 of them
                # resting on >= k persons together (or the whole group is suppressed)
                for group in rule.complementary_groups:
                    exprs = [f'"{g}"' if g.isidentifier() else f"({g})" for g in group]
                    gsel = ", ".join(f"{e} as g{i}" for i, e in enumerate(exprs))
                    gcols = ", ".join(f"g{i}" for i in range(len(exprs)))
                    nulls = " and ".join(f"g{i} is not null" for i in range(len(exprs)))
                    col = rule.nulled[0]
                    grouped = f"(select *, ({count}) as _cnt, {gsel} from src.marts.{decl.name})"
                    wg = ", ".join(f"w.g{i}" for i in range(len(exprs)))
                    bad_groups = con.execute(
                        f"""
                        with cells as (
                            select {wg}, coalesce(w._cnt, 0) as cnt, p."{col}" is null as hidden
                            from marts.{decl.name} as p join {grouped} as w on {on}
                        )
                        select {gcols}, count(*) filter (where hidden) as n_hidden,
                            sum(cnt) filter (where hidden) as sum_hidden, count(*) as n
                        from cells where {nulls}
                        group by all
                        having n_hidden > 0 and n_hidden < n
                            and (n_hidden = 1 or sum_hidden < {k})
                        """
                    ).fetchall()
                    assert bad_groups == [], f"{decl.name} {group}: {bad_groups[:3]}"
    finally:
        con.close()
    return checked


def test_every_published_value_rests_on_enough_persons(built: Built) -> None:
    k = _rows(built.snapshot, "select min_cell_size from meta.snapshot")[0][0]
    assert k == 5
    assert _check_rules(built, built.snapshot, k) > 0


def test_a_strict_min_cell_size_suppresses_and_still_holds(built: Built, tmp_path: Path) -> None:
    """Republish the same build with a large threshold: many cells suppressed, same proofs."""
    k = 200
    result = publish(
        tmp_path,
        min_cell_size=k,
        manifest_path=built.manifest,
        working_db=built.working_db,
    )
    assert sum(result.suppressed_rows.values()) > 0
    assert result.suppressed_rows["mart_elp_users_yearly"] > 0
    assert _check_rules(built, result.snapshot, k) > 0
    # a nulled value is always flagged; a flagged row always has a nulled value
    unflagged = _rows(
        result.snapshot,
        "select count(*) from marts.mart_elp_users_yearly where not is_suppressed and ("
        "users_observed is null or new_users_observed is null "
        "or cumulative_users_observed is null)",
    )[0][0]
    assert unflagged == 0
    empty_flags = _rows(
        result.snapshot,
        "select count(*) from marts.mart_elp_users_yearly where is_suppressed and "
        "users_observed is not null and new_users_observed is not null "
        "and cumulative_users_observed is not null and members_observed is not null",
    )[0][0]
    assert empty_flags == 0


def test_descriptions_travel_with_the_snapshot(built: Built) -> None:
    """Every table and column of every schema (marts, reference, meta) carries a comment:
    the marts' from their yml, the others as publish/snapshot_tables.yml declares."""
    tables = _rows(
        built.snapshot,
        "select schema_name, table_name, comment from duckdb_tables() "
        "where database_name = current_database()",
    )
    assert {schema for schema, _, _ in tables} == {"marts", "meta", "reference"}
    assert {(s, t) for s, t, _ in tables if s != "marts"} == {
        ("reference", "labels"),
        ("meta", "snapshot"),
        ("meta", "published_marts"),
        ("meta", "run_log"),
    }
    assert [(s, t) for s, t, comment in tables if not (comment or "").strip()] == []
    columns = _rows(
        built.snapshot,
        "select schema_name, table_name, column_name, comment from duckdb_columns() "
        "where database_name = current_database()",
    )
    assert len(columns) > 100
    assert [(s, t, c) for s, t, c, comment in columns if not (comment or "").strip()] == []

    # the declarations name only tables and columns the snapshot has
    declared = yaml.safe_load(SNAPSHOT_TABLES.read_text())["tables"]
    by_table: dict[str, set[str]] = {}
    for schema, table, column, _ in columns:
        by_table.setdefault(f"{schema}.{table}", set()).add(column)
    for name, entry in declared.items():
        assert name in by_table, name
        assert set(entry.get("columns") or {}) <= by_table[name], name

    # each origin's text arrives as written: dbt seed, dbt source, the declarations
    comment = {(s, t, c): text for s, t, c, text in columns}
    assert comment["reference", "labels", "sort_order"] == (
        "Display order within the dimension (1 = first)."
    )
    assert comment["meta", "run_log", "extract_files"] == "Parquet files in the raw tables read."
    assert comment["meta", "snapshot", "published_at"] == "Time the snapshot was written, UTC."
    table_comment = {(s, t): text for s, t, text in tables}
    assert "without the columns invocation_id, message and vars" in table_comment["meta", "run_log"]


def test_the_run_log_travels_with_the_snapshot(built: Built) -> None:
    """meta.run_log holds the working database's run log as it was at publish time (other
    modules run more builds and publishes on this warehouse, so rows may have been added
    since), including the full build with the quality mart's rows read and quarantined."""
    columns = "started_at, command, status, extract_hash, rows_read, rows_quarantined"
    published = _rows(built.snapshot, f"select {columns} from meta.run_log order by started_at")
    working = _rows(built.working_db, f"select {columns} from ops.run_log order by started_at")
    assert published
    assert [r[:2] for r in published] == [r[:2] for r in working[: len(published)]]
    # a run still 'running' when published (a killed build) is closed by the next run
    for pub, work in zip(published, working, strict=False):
        assert pub == work or pub[2] == "running", (pub, work)
    totals = _rows(
        built.working_db,
        "select sum(rows_read), sum(rows_rejected) from marts.mart_data_quality "
        "where rule = 'all_rules'",
    )[0]
    full_builds = [r for r in published if r[1:3] == ("build", "success") and r[4] is not None]
    assert full_builds, published
    assert (full_builds[0][4], full_builds[0][5]) == totals
