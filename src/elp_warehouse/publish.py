"""Publish the marts for BI: a suppressed, atomically replaced snapshot.

After a successful build, every *declared* mart is copied from the working database
(`elp.duckdb`) into a separate snapshot `published.duckdb` (and one Parquet file per mart under
`published/`), with small-cell suppression applied. BI tools only ever open the snapshot,
read-only; the build never touches it.

Declarations (what is published, and how it is suppressed) live in
`publish/published_marts.yml` (or in a model's `config: meta: published:`), validated against
the dbt manifest and the working database. See docs/bi.md for the convention.

Suppression, per rule of a mart (`count_column`, `value_columns`, `complementary_groups`):
- primary: a row whose count (observed persons) is below `min_cell_size` has the count and
  the rule's value columns set to null;
- complementary: within every sibling group (rows sharing the group's partition values, i.e.
  cells that add up to a published total), while a group has exactly one suppressed cell, or
  its suppressed cells together rest on fewer than `min_cell_size` persons, the smallest
  unsuppressed cell of the group is suppressed too; repeated over all groups until stable.
- `is_suppressed` is true on every row where at least one value was nulled.

Atomicity: the snapshot is written to a temporary file in the warehouse folder, checked, then
moved over `published.duckdb` with `os.replace` (atomic on one file system). The Parquet copy
is written to a new version folder and the `published` symlink is swapped atomically. A failed
or killed publish leaves the previous snapshot untouched; its leftovers are removed by the next
publish. Readers holding the old file open keep reading the old version (same inode on Linux).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import yaml

from elp_warehouse import paths

SNAPSHOT_NAME = "published.duckdb"
PARQUET_LINK = "published"
PARQUET_VERSIONS = ".published-versions"
LOCK_NAME = ".published.lock"
TMP_PREFIX = ".published.tmp-"
MART_SCHEMA = "marts"
KEEP_PARQUET_VERSIONS = 2
# Test hook (fault injection): seconds to sleep after the new snapshot is written and before
# it replaces the old one, so a test can kill a publish at its most delicate moment.
PAUSE_ENV = "ELP_PUBLISH_PAUSE_BEFORE_SWAP"

# Column names that identify a person (or a claim / provider record) are never published.
IDENTIFIER_NAME = re.compile(
    r"(^|_)(id|ids|uuid|niss|inss|ssin|rrn|rijksregisternummer|national_register(_number)?)$"
    r"|^(member|person|patient|provider|claim|dispensing|refund)_(key|number|code)$",
    re.IGNORECASE,
)
# A Belgian national register number (same pattern as macro looks_like_niss).
NISS_VALUE = r"^[0-9]{2}[. -]?[0-9]{2}[. -]?[0-9]{2}[. -]?[0-9]{3}[. -]?[0-9]{2}$"
SIMPLE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class PublishError(RuntimeError):
    """The snapshot was not replaced: the previous one is still in place."""


# --------------------------------------------------------------------------------------------
# Declarations
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """Values resting on the persons counted by `count_column` (or `count_expression`)."""

    count_column: str | None
    value_columns: tuple[str, ...] = ()
    count_expression: str | None = None
    complementary_groups: tuple[tuple[str, ...], ...] = ()

    @property
    def count_sql(self) -> str:
        if self.count_expression:
            return self.count_expression
        assert self.count_column is not None
        return quote(self.count_column)

    @property
    def nulled(self) -> tuple[str, ...]:
        own = (self.count_column,) if self.count_column else ()
        return (*own, *self.value_columns)


@dataclass(frozen=True)
class MartDeclaration:
    name: str
    key: tuple[str, ...]
    rules: tuple[Rule, ...] = ()
    public_columns: tuple[str, ...] = ()
    exclude_columns: tuple[str, ...] = ()
    no_suppression_reason: str | None = None
    draft: bool = False
    origin: str = "publish/published_marts.yml"

    def classified(self) -> set[str]:
        cols = set(self.key) | set(self.public_columns) | set(self.exclude_columns)
        for rule in self.rules:
            cols |= set(rule.nulled)
        return cols

    def named_columns(self) -> set[str]:
        """Every plain column name the declaration refers to (for validation)."""
        cols = self.classified()
        for rule in self.rules:
            for group in rule.complementary_groups:
                cols |= {g for g in group if SIMPLE_NAME.match(g)}
        return cols


@dataclass
class Validation:
    marts: list[MartDeclaration] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _as_tuple(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PublishError(f"{what}: expected a list of column names, got {value!r}")
    return tuple(v.lower() if SIMPLE_NAME.match(v.lower()) else v for v in value)


def _parse_rule(mart: str, raw: Mapping[str, Any]) -> Rule:
    if "count_column" not in raw and "count_expression" not in raw:
        raise PublishError(f"{mart}: a suppression rule needs a count_column or count_expression")
    groups = raw.get("complementary_groups") or []
    if not isinstance(groups, list):
        raise PublishError(f"{mart}: complementary_groups must be a list of lists")
    return Rule(
        count_column=str(raw["count_column"]).lower() if raw.get("count_column") else None,
        value_columns=_as_tuple(raw.get("value_columns"), f"{mart}.value_columns"),
        count_expression=raw.get("count_expression"),
        complementary_groups=tuple(
            _as_tuple(g, f"{mart}.complementary_groups") for g in groups if g
        ),
    )


def parse_declaration(name: str, raw: Mapping[str, Any], origin: str) -> MartDeclaration:
    known = {
        "published",
        "key",
        "suppression",
        "public_columns",
        "exclude_columns",
        "no_suppression_reason",
        "draft",
        "description",
    }
    unknown = set(raw) - known
    if unknown:
        raise PublishError(f"{name} ({origin}): unknown keys {sorted(unknown)}")
    suppression = raw.get("suppression") or []
    if isinstance(suppression, dict):  # the single-rule short form
        suppression = [suppression]
    if not isinstance(suppression, list):
        raise PublishError(f"{name}: suppression must be a rule or a list of rules")
    decl = MartDeclaration(
        name=name,
        key=_as_tuple(raw.get("key"), f"{name}.key"),
        rules=tuple(_parse_rule(name, r) for r in suppression),
        public_columns=_as_tuple(raw.get("public_columns"), f"{name}.public_columns"),
        exclude_columns=_as_tuple(raw.get("exclude_columns"), f"{name}.exclude_columns"),
        no_suppression_reason=raw.get("no_suppression_reason"),
        draft=bool(raw.get("draft", False)),
        origin=origin,
    )
    if not decl.key:
        raise PublishError(f"{name}: declare its grain as `key` (the columns of one row)")
    if not decl.rules and not decl.no_suppression_reason:
        raise PublishError(
            f"{name}: no suppression rule; a mart without person counts must say why in "
            "`no_suppression_reason`"
        )
    return decl


def default_declarations_path() -> Path:
    return paths.PROJECT_ROOT / "publish" / "published_marts.yml"


def default_manifest_path() -> Path:
    return paths.target_dir() / "manifest.json"


def load_declarations(path: Path, manifest: Mapping[str, Any]) -> list[MartDeclaration]:
    """Declarations of the YAML file plus those in models' `config.meta.published`."""
    raw = yaml.safe_load(path.read_text()) or {}
    marts = raw.get("marts") or {}
    decls: dict[str, MartDeclaration] = {}
    for name, body in marts.items():
        if body is None or body.get("published", True) is False:
            continue
        decls[name] = parse_declaration(name, body, str(path.name))
    for node in _mart_nodes(manifest).values():
        meta = (node.get("config") or {}).get("meta") or {}
        if not meta.get("published"):
            continue
        body = {k: v for k, v in meta.items() if k in {"published", "suppression", "key"}}
        body.update({k: meta[k] for k in meta if k in {"public_columns", "exclude_columns"}})
        if "no_suppression_reason" in meta:
            body["no_suppression_reason"] = meta["no_suppression_reason"]
        name = str(node["name"])
        if name in decls and not decls[name].draft:
            raise PublishError(
                f"{name} is declared both in {path.name} and in its model's config.meta: "
                "keep one declaration"
            )
        decls[name] = parse_declaration(name, body, f"{node['original_file_path']} meta")
    return list(decls.values())


def _mart_nodes(manifest: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    nodes: dict[str, Mapping[str, Any]] = {}
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") == "model" and str(node.get("name", "")).startswith("mart_"):
            nodes[str(node["name"])] = node
    return nodes


def validate(
    decls: Sequence[MartDeclaration],
    manifest: Mapping[str, Any],
    db_columns: Mapping[str, Sequence[str]],
) -> Validation:
    """Check declarations against the manifest and the built tables.

    An error in a final declaration raises PublishError (nothing is published); a draft
    declaration (written before its mart landed) that does not fit is skipped with a warning.
    `db_columns`: mart name -> columns of the built table in the working database.
    """
    nodes = _mart_nodes(manifest)
    result = Validation()
    for decl in decls:
        problems = _problems(decl, nodes, db_columns)
        if not problems:
            result.marts.append(decl)
        elif decl.draft:
            result.warnings.append(
                f"draft declaration of {decl.name} skipped (not published): " + "; ".join(problems)
            )
        else:
            raise PublishError(
                f"declaration of {decl.name} ({decl.origin}): " + "; ".join(problems)
            )
    declared = {d.name for d in result.marts}
    for name in sorted(set(nodes) - {d.name for d in decls}):
        result.warnings.append(
            f"{name} is a mart_ model without a publish declaration: it is NOT published "
            "(declare it in publish/published_marts.yml)"
        )
    for name in sorted({d.name for d in decls} - declared):
        if name in nodes and not any(d.name == name and d.draft for d in decls):
            result.warnings.append(f"{name} is not published")
    return result


def _problems(
    decl: MartDeclaration,
    nodes: Mapping[str, Mapping[str, Any]],
    db_columns: Mapping[str, Sequence[str]],
) -> list[str]:
    node = nodes.get(decl.name)
    if node is None:
        return [f"no dbt model named {decl.name} in the manifest"]
    problems: list[str] = []
    if node.get("schema") != MART_SCHEMA:
        problems.append(f"model is in schema {node.get('schema')!r}, not {MART_SCHEMA!r}")
    documented = {c.lower() for c in (node.get("columns") or {})}
    built = [c.lower() for c in db_columns.get(decl.name, [])]
    if not built:
        problems.append(f"table {MART_SCHEMA}.{decl.name} is not in the working database")
        return problems
    missing_doc = sorted(decl.named_columns() - documented)
    if missing_doc:
        problems.append(f"columns not in the model's YAML: {missing_doc}")
    missing_db = sorted(decl.named_columns() - set(built))
    if missing_db:
        problems.append(f"columns not in the built table: {missing_db}")
    unclassified = [c for c in built if c not in decl.classified() and c != "is_suppressed"]
    if unclassified:
        problems.append(
            "every column must be a key, a rule's count or value column, a public column "
            f"or excluded; unclassified: {unclassified}"
        )
    published = [c for c in built if c not in decl.exclude_columns]
    identifiers = [c for c in published if IDENTIFIER_NAME.search(c)]
    if identifiers:
        problems.append(f"identifier columns may never be published: {identifiers}")
    observed_public = [c for c in decl.public_columns if c.endswith("_observed")]
    if observed_public:
        problems.append(f"observed person counts cannot be public columns: {observed_public}")
    return problems


# --------------------------------------------------------------------------------------------
# Suppression (SQL on DuckDB)
# --------------------------------------------------------------------------------------------


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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


# --------------------------------------------------------------------------------------------
# Snapshot writing
# --------------------------------------------------------------------------------------------


@dataclass
class PublishResult:
    snapshot: Path
    parquet_dir: Path
    snapshot_id: str
    marts: dict[str, int]
    suppressed_rows: dict[str, int]
    warnings: list[str]

    def summary(self) -> str:
        lines = [f"Published snapshot {self.snapshot_id}: {self.snapshot}"]
        for mart, n in self.marts.items():
            lines.append(f"  {mart:<40} {n:>8} rows, {self.suppressed_rows[mart]:>6} suppressed")
        lines.append(f"Parquet copy: {self.parquet_dir}/<mart>.parquet")
        if self.warnings:
            lines.append(f"{len(self.warnings)} warning(s), printed above")
        return "\n".join(lines)


def resolve_min_cell_size(dbt_vars: str | None = None) -> int:
    """var min_cell_size: dbt_project.yml, overridden by the build's --vars (YAML)."""
    project = yaml.safe_load((paths.PROJECT_ROOT / "dbt_project.yml").read_text())
    value = (project.get("vars") or {}).get("min_cell_size")
    if dbt_vars:
        override = yaml.safe_load(dbt_vars) or {}
        value = override.get("min_cell_size", value)
    if value is None:
        raise PublishError("var min_cell_size is not set in dbt_project.yml")
    size = int(value)
    if size < 1:
        raise PublishError(f"min_cell_size must be at least 1, got {size}")
    return size


@contextlib.contextmanager
def _publish_lock(warehouse_dir: Path) -> Iterator[None]:
    """One publisher at a time per warehouse folder (readers never take this lock)."""
    with open(warehouse_dir / LOCK_NAME, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_leftovers(warehouse_dir: Path) -> None:
    """Temporary files of publishes that were killed (we hold the lock: none is running)."""
    for leftover in warehouse_dir.glob(TMP_PREFIX + "*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def publish(
    warehouse_dir: Path | None = None,
    *,
    min_cell_size: int | None = None,
    dbt_vars: str | None = None,
    manifest_path: Path | None = None,
    declarations_path: Path | None = None,
    working_db: Path | None = None,
) -> PublishResult:
    """Write a new suppressed snapshot and swap it in atomically; return what was published."""
    warehouse_dir = (warehouse_dir or paths.warehouse_dir()).resolve()
    working_db = (working_db or warehouse_dir / "elp.duckdb").resolve()
    manifest_path = manifest_path or default_manifest_path()
    declarations_path = declarations_path or default_declarations_path()
    k = min_cell_size if min_cell_size is not None else resolve_min_cell_size(dbt_vars)
    if k < 1:
        raise PublishError(f"min_cell_size must be at least 1, got {k}")
    if not working_db.exists():
        raise PublishError(f"no working database at {working_db}: build first")
    if not manifest_path.exists():
        raise PublishError(f"no dbt manifest at {manifest_path}: run dbt build (or parse) first")
    manifest = json.loads(manifest_path.read_text())
    decls = load_declarations(declarations_path, manifest)

    warehouse_dir.mkdir(parents=True, exist_ok=True)
    with _publish_lock(warehouse_dir):
        _remove_leftovers(warehouse_dir)
        snapshot_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
        tmp_db = warehouse_dir / f"{TMP_PREFIX}{snapshot_id}.duckdb"
        tmp_parquet = warehouse_dir / f"{TMP_PREFIX}{snapshot_id}.parquet"
        try:
            result = _write_snapshot(
                tmp_db, tmp_parquet, working_db, manifest, decls, k, snapshot_id
            )
            pause = float(os.environ.get(PAUSE_ENV, "0") or 0)
            if pause > 0:
                print(f"publish: pausing {pause}s before the swap ({PAUSE_ENV})", flush=True)
                time.sleep(pause)
            _swap(warehouse_dir, tmp_db, tmp_parquet, snapshot_id)
        except BaseException:
            with contextlib.suppress(OSError):
                _remove_leftovers(warehouse_dir)
            raise
    marts, suppressed, warnings = result
    return PublishResult(
        snapshot=warehouse_dir / SNAPSHOT_NAME,
        parquet_dir=warehouse_dir / PARQUET_LINK,
        snapshot_id=snapshot_id,
        marts=marts,
        suppressed_rows=suppressed,
        warnings=warnings,
    )


def _write_snapshot(
    tmp_db: Path,
    tmp_parquet: Path,
    working_db: Path,
    manifest: Mapping[str, Any],
    decls: Sequence[MartDeclaration],
    k: int,
    snapshot_id: str,
) -> tuple[dict[str, int], dict[str, int], list[str]]:
    tmp_parquet.mkdir()
    con = duckdb.connect(str(tmp_db))
    try:
        try:
            con.execute(f"attach '{working_db}' as src (read_only)")
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
        nodes = _mart_nodes(manifest)
        for decl in checked.marts:
            source = f"src.{MART_SCHEMA}.{quote(decl.name)}"
            select = suppressed_select(con, source, decl, db_columns[decl.name], k)
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
            con.execute(
                f"copy {target} to '{tmp_parquet / (decl.name + '.parquet')}' (format parquet)"
            )
            con.execute(f"drop table {quote('_supp_' + decl.name)}")
        if con.execute(
            "select count(*) from information_schema.tables where table_catalog = 'src' "
            "and table_schema = 'seeds' and table_name = 'labels'"
        ).fetchall()[0][0]:
            con.execute("create table reference.labels as select * from src.seeds.labels")
            con.execute(
                "comment on table reference.labels is 'nl / fr / en labels of every "
                "dimension and category code (seed labels)'"
            )
        published_at = datetime.now(UTC).replace(tzinfo=None)
        con.execute(
            "create table meta.snapshot as select ?::varchar as snapshot_version, "
            "?::timestamp as published_at, ?::integer as min_cell_size, ?::varchar as dbt_version, "
            "?::varchar as dbt_invocation",
            [
                snapshot_id,
                published_at,
                k,
                manifest.get("metadata", {}).get("dbt_version"),
                manifest.get("metadata", {}).get("invocation_id"),
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
        con.execute("detach src")
        con.execute("checkpoint")
    finally:
        con.close()
    info = {
        "snapshot_id": snapshot_id,
        "published_at": datetime.now(UTC).isoformat(),
        "min_cell_size": k,
        "marts": marts,
        "suppressed_rows": suppressed,
    }
    (tmp_parquet / "_snapshot.json").write_text(json.dumps(info, indent=2) + "\n")
    _verify(tmp_db, marts)
    for file in [*tmp_parquet.iterdir(), tmp_db]:
        _fsync_file(file)
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
    con.execute(
        "comment on table meta.run_log is 'One row per dbt run of the working database up to "
        "this snapshot (ops.run_log, docs/operations.md)'"
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


def _comment(
    con: duckdb.DuckDBPyConnection, decl: MartDeclaration, node: Mapping[str, Any], k: int
) -> None:
    """Carry the dbt descriptions into the snapshot (BI tools show table / column comments)."""

    def lit(text: str) -> str:
        return "'" + " ".join(text.split()).replace("'", "''") + "'"

    table = f"{MART_SCHEMA}.{quote(decl.name)}"
    desc = str(node.get("description") or "")
    con.execute(
        f"comment on table {table} is "
        + lit(f"{desc} Published copy: small cells (< {k} observed persons) suppressed.")
    )
    columns = {c.lower(): v for c, v in (node.get("columns") or {}).items()}
    published = [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? "
            "and table_name = ? and table_catalog = current_database()",
            [MART_SCHEMA, decl.name],
        ).fetchall()
    ]
    for col in published:
        if col == "is_suppressed":
            text = (
                f"True when at least one value of the row was nulled by small-cell suppression "
                f"(fewer than {k} observed persons, or complementary suppression)."
            )
        else:
            text = str((columns.get(col) or {}).get("description") or "")
        if text:
            con.execute(f"comment on column {table}.{quote(col)} is {lit(text)}")


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


def _swap(warehouse_dir: Path, tmp_db: Path, tmp_parquet: Path, snapshot_id: str) -> None:
    """Parquet version folder + symlink swap, then the DuckDB file: each step atomic."""
    versions = warehouse_dir / PARQUET_VERSIONS
    versions.mkdir(exist_ok=True)
    version_dir = versions / snapshot_id
    os.replace(tmp_parquet, version_dir)
    link = warehouse_dir / PARQUET_LINK
    if link.exists() and not link.is_symlink():
        # a plain folder from elsewhere: move it aside once (cannot be replaced atomically)
        os.replace(link, versions / f"legacy-{snapshot_id}")
    tmp_link = warehouse_dir / f"{TMP_PREFIX}{snapshot_id}.link"
    tmp_link.symlink_to(Path(PARQUET_VERSIONS) / snapshot_id, target_is_directory=True)
    os.replace(tmp_link, link)
    os.replace(tmp_db, warehouse_dir / SNAPSHOT_NAME)
    _fsync_dir(warehouse_dir)
    # keep the newest versions: a reader that resolved the old link just before the swap can
    # still open its files
    old = sorted(p for p in versions.iterdir() if p.is_dir())
    current = version_dir.resolve()
    for stale in old[:-KEEP_PARQUET_VERSIONS]:
        if stale.resolve() != current:
            shutil.rmtree(stale, ignore_errors=True)


def snapshot_path(warehouse_dir: Path | None = None) -> Path:
    return (warehouse_dir or paths.warehouse_dir()) / SNAPSHOT_NAME
