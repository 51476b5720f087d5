"""Write the new snapshot to its temporary files: the suppressed marts (DuckDB and Parquet),
their comments, the labels, the snapshot's metadata and the run log; then check it."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import yaml

from elp_warehouse import paths
from elp_warehouse.publish.atomic import fsync_file
from elp_warehouse.publish.declarations import MartDeclaration, mart_nodes, validate
from elp_warehouse.publish.errors import PublishError
from elp_warehouse.publish.names import MART_SCHEMA, NISS_VALUE, quote
from elp_warehouse.publish.suppression import suppressed_selects

# Where the comments of the tables outside `marts` come from (reference.labels, meta.*).
SNAPSHOT_TABLES = paths.PROJECT_ROOT / "publish" / "snapshot_tables.yml"

# The IMA's small-cell rule: no published value rests on fewer than this many persons
# (publish/run.py refuses a smaller min_cell_size without the unsafe flag).
IMA_MIN_CELL_SIZE = 5

# BI tools embed their own DuckDB, usually a release behind the warehouse's (Superset 6.1.0
# pins duckdb < 2, the Metabase driver embeds a 1.5 JDBC build): DuckDB 2.0's default storage
# format cannot be opened by any 1.x reader, so the snapshot is written in the format DuckDB
# 1.1 and later read (docs/bi.md, "Which readers open the snapshot";
# tests/python/test_snapshot_readers.py opens it with those readers).
SNAPSHOT_STORAGE_VERSION = "v1.1.0"


def sql_string(text: str) -> str:
    """`text` as a SQL string literal: a path may hold a quote."""
    return "'" + text.replace("'", "''") + "'"


def write_snapshot(
    tmp_db: Path,
    tmp_parquet: Path,
    working_db: Path,
    manifest: Mapping[str, Any],
    decls: Sequence[MartDeclaration],
    k: int,
    snapshot_id: str,
) -> tuple[dict[str, int], dict[str, int], list[str]]:
    tmp_parquet.mkdir()
    con = duckdb.connect(
        str(tmp_db), config={"storage_compatibility_version": SNAPSHOT_STORAGE_VERSION}
    )
    try:
        try:
            con.execute(f"attach {sql_string(str(working_db))} as src (read_only)")
        except duckdb.Error as exc:
            raise PublishError(f"cannot open the working database read-only: {exc}") from exc
        db_columns: dict[str, list[str]] = {}
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_catalog = 'src' and table_schema = ? "
            "order by table_name, ordinal_position",
            [MART_SCHEMA],
        ).fetchall():
            db_columns.setdefault(table, []).append(column)
        checked = validate(decls, manifest, db_columns)
        for warning in checked.warnings:
            print(f"publish: WARNING: {warning}", file=sys.stderr)
        if not checked.marts:
            raise PublishError("no mart to publish: every declaration failed or none exists")

        con.execute(f"create schema {MART_SCHEMA}")
        con.execute("create schema meta")
        con.execute("create schema reference")
        marts: dict[str, int] = {}
        suppressed: dict[str, int] = {}
        nodes = mart_nodes(manifest)
        # one suppression over every mart: a cell hidden in one is hidden in all
        selects = suppressed_selects(
            con,
            [(d, f"src.{MART_SCHEMA}.{quote(d.name)}", db_columns[d.name]) for d in checked.marts],
            k,
        )
        for decl in checked.marts:
            select = selects[decl.name]
            target = f"{MART_SCHEMA}.{quote(decl.name)}"
            con.execute(f"create table {target} as {select}")
            keys = ", ".join(quote(c) for c in decl.key)
            dupes = con.execute(
                f"select count(*) from (select {keys} from {target} group by all "
                "having count(*) > 1)"
            ).fetchall()[0][0]
            if dupes:
                raise PublishError(f"{decl.name}: {dupes} duplicated keys ({keys}): wrong grain")
            _guard_values(con, decl.name)
            n, s = con.execute(
                f"select count(*), count(*) filter (where is_suppressed) from {target}"
            ).fetchall()[0]
            marts[decl.name], suppressed[decl.name] = int(n), int(s)
            _comment(con, decl, nodes[decl.name], k)
            parquet_file = sql_string(str(tmp_parquet / (decl.name + ".parquet")))
            con.execute(f"copy {target} to {parquet_file} (format parquet)")
            con.execute(f"drop table {quote('_supp_' + decl.name)}")
        if con.execute(
            "select count(*) from information_schema.tables where table_catalog = 'src' "
            "and table_schema = 'seeds' and table_name = 'labels'"
        ).fetchall()[0][0]:
            con.execute("create table reference.labels as select * from src.seeds.labels")
        published_at = datetime.now(UTC).replace(tzinfo=None)
        con.execute(
            "create table meta.snapshot as select ?::varchar as snapshot_version, "
            "?::timestamp as published_at, ?::integer as min_cell_size, ?::varchar as dbt_version, "
            "?::varchar as dbt_invocation, ?::boolean as unsafe_small_cells",
            [
                snapshot_id,
                published_at,
                k,
                manifest.get("metadata", {}).get("dbt_version"),
                manifest.get("metadata", {}).get("invocation_id"),
                k < IMA_MIN_CELL_SIZE,
            ],
        )
        con.execute(
            "create table meta.published_marts (mart varchar, row_count bigint, "
            "suppressed_rows bigint, snapshot_version varchar)"
        )
        for mart, n in marts.items():
            con.execute(
                "insert into meta.published_marts values (?, ?, ?, ?)",
                [mart, n, suppressed[mart], snapshot_id],
            )
        _copy_run_log(con)
        _comment_other_tables(con, manifest)
        con.execute("detach src")
        con.execute("checkpoint")
    finally:
        con.close()
    info = {
        "snapshot_id": snapshot_id,
        "published_at": datetime.now(UTC).isoformat(),
        "min_cell_size": k,
        "unsafe_small_cells": k < IMA_MIN_CELL_SIZE,
        "marts": marts,
        "suppressed_rows": suppressed,
    }
    (tmp_parquet / "_snapshot.json").write_text(json.dumps(info, indent=2) + "\n")
    _verify(tmp_db, marts)
    for file in [*tmp_parquet.iterdir(), tmp_db]:
        fsync_file(file)
    return marts, suppressed, checked.warnings


# The run log's columns that BI sees (meta.run_log): not the invocation id (an identifier
# column by IDENTIFIER_NAME, and of no use to BI), nor the failure message and the vars, which
# can quote raw values or file paths.
RUN_LOG_PUBLISHED_COLUMNS = (
    "started_at",
    "ended_at",
    "duration_s",
    "command",
    "selected",
    "status",
    "extract_hash",
    "extract_files",
    "extract_bytes",
    "extract_rows",
    "rows_read",
    "rows_quarantined",
    "models_built",
    "models_errored",
    "models_skipped",
    "seeds_loaded",
    "tests_passed",
    "tests_warned",
    "tests_failed",
    "tests_errored",
    "tests_skipped",
    "freshness_status",
    "latest_booking_at",
    "freshness_age_days",
)


def _copy_run_log(con: duckdb.DuckDBPyConnection) -> None:
    """meta.run_log: the working database's ops.run_log (docs/operations.md), when it exists."""
    present = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_catalog = 'src' "
            "and table_schema = 'ops' and table_name = 'run_log'"
        ).fetchall()
    }
    columns = [c for c in RUN_LOG_PUBLISHED_COLUMNS if c in present]
    if not columns:
        return
    con.execute(
        f"create table meta.run_log as select {', '.join(columns)} from src.ops.run_log "
        "order by started_at"
    )


def _guard_values(con: duckdb.DuckDBPyConnection, mart: str) -> None:
    """Refuse a published string value shaped like a national register number."""
    text_cols = [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? "
            "and table_name = ? and data_type = 'VARCHAR' and table_catalog = current_database()",
            [MART_SCHEMA, mart],
        ).fetchall()
    ]
    for col in text_cols:
        hits = con.execute(
            f"select count(*) from {MART_SCHEMA}.{quote(mart)} "
            f"where regexp_full_match(trim({quote(col)}), '{NISS_VALUE[1:-1]}')"
        ).fetchall()[0][0]
        if hits:
            raise PublishError(f"{mart}.{col}: {hits} values look like national register numbers")


def _comment_literal(text: str) -> str:
    return "'" + " ".join(text.split()).replace("'", "''") + "'"


def _table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? "
            "and table_name = ? and table_catalog = current_database() order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]


def _column_descriptions(node: Mapping[str, Any]) -> dict[str, str]:
    return {
        name.lower(): str((column or {}).get("description") or "")
        for name, column in (node.get("columns") or {}).items()
    }


def _set_comments(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    description: str,
    columns: Mapping[str, str],
) -> None:
    """Comment the table and each of its columns that has a text (empty texts are skipped:
    tests/python/test_publish_snapshot.py finds them)."""
    relation = f"{schema}.{quote(table)}"
    if description.strip():
        con.execute(f"comment on table {relation} is {_comment_literal(description)}")
    for column in _table_columns(con, schema, table):
        text = columns.get(column, "")
        if text.strip():
            con.execute(f"comment on column {relation}.{quote(column)} is {_comment_literal(text)}")


def _comment(
    con: duckdb.DuckDBPyConnection, decl: MartDeclaration, node: Mapping[str, Any], k: int
) -> None:
    """Carry the dbt descriptions into the snapshot (BI tools show table / column comments)."""
    desc = str(node.get("description") or "")
    columns = _column_descriptions(node)
    columns["is_suppressed"] = (
        f"True when at least one value of the row was nulled by small-cell suppression "
        f"(fewer than {k} observed persons, or complementary suppression)."
    )
    _set_comments(
        con,
        MART_SCHEMA,
        decl.name,
        f"{desc} Published copy: small cells (< {k} observed persons) suppressed.",
        columns,
    )


def _comment_other_tables(con: duckdb.DuckDBPyConnection, manifest: Mapping[str, Any]) -> None:
    """Comments of the tables outside `marts`, as publish/snapshot_tables.yml declares them:
    from a dbt node of the manifest (seed, source) or written there."""
    declared: dict[str, dict[str, Any]] = yaml.safe_load(SNAPSHOT_TABLES.read_text())["tables"]
    nodes = {**manifest.get("nodes", {}), **manifest.get("sources", {})}
    for name, entry in declared.items():
        schema, table = name.split(".")
        if not _table_columns(con, schema, table):
            continue  # not in this snapshot (no labels seed or no run log yet)
        if "dbt_node" in entry:
            node = nodes.get(entry["dbt_node"])
            if node is None:
                raise PublishError(
                    f"{SNAPSHOT_TABLES.name}: {name} takes its comments from dbt node "
                    f"{entry['dbt_node']}, which the manifest lacks"
                )
            description = f"{node.get('description') or ''} {entry.get('note') or ''}"
            columns = _column_descriptions(node)
        else:
            description = str(entry.get("description") or "")
            columns = {c: str(t or "") for c, t in (entry.get("columns") or {}).items()}
        _set_comments(con, schema, table, description, columns)


def _verify(tmp_db: Path, marts: Mapping[str, int]) -> None:
    """Reopen the new file read-only, as a BI tool will, before it is swapped in."""
    con = duckdb.connect(str(tmp_db), read_only=True)
    try:
        for mart, n in marts.items():
            got = con.execute(f"select count(*) from {MART_SCHEMA}.{quote(mart)}").fetchall()
            if got[0][0] != n:
                raise PublishError(f"verification of {mart} failed: {got[0][0]} != {n} rows")
    finally:
        con.close()
