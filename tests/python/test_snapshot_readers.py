"""Older DuckDB readers open the published snapshot and read what the warehouse's DuckDB reads.

BI tools embed their own DuckDB (Superset through duckdb-engine, Metabase through the DuckDB
JDBC driver), so `elp publish` writes the snapshot in a storage format DuckDB 1.1 and later read
(docs/bi.md, "Which readers open the snapshot"). Each reader of publish/readers/ is installed,
alone and hash-checked, in its own throwaway environment (cached, so reruns are fast); it opens
the session's demo snapshot read-only and dumps every table of every schema, with the table and
column comments, and every Parquet file of the Parquet copy. The dump must equal the one of the
project's DuckDB: same tables, columns, types, comments, rows in the same order, same values
(floats to 1e-12 relative).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from publish_support import Built, built_warehouse

ROOT = Path(__file__).resolve().parents[2]
READERS_DIR = ROOT / "publish" / "readers"
UV = ROOT / ".venv" / "bin" / "uv"

# version -> who reads the snapshot with it (publish/readers/duckdb-<version>.txt pins it)
READERS = {
    "1.1.3": "the oldest supported reader (latest DuckDB 1.1 patch)",
    "1.5.6": "apache-superset[duckdb]==6.1.0 (duckdb>=1.4.2,<2 resolves to 1.5.6)",
    "1.5.5": "the Metabase DuckDB driver 1.5.5.0 (org.duckdb/duckdb_jdbc 1.5.5.0)",
}
SCHEMAS = {"marts", "reference", "meta"}
FLOAT_REL_TOL = 1e-12

# Run by every reader's Python with `-I` (no PYTHONPATH, no user site: only the environment's
# own duckdb): argv = mode ("db" or "parquet"), path, output file. Values become JSON with their
# type kept where JSON would lose it (decimals, dates), so that the comparison is exact for
# everything but floats.
_DUMP = r"""
import datetime, decimal, json, pathlib, sys, uuid
import duckdb

def norm(v):
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, decimal.Decimal):
        return {"decimal": str(v)}
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        return {type(v).__name__: v.isoformat()}
    if isinstance(v, datetime.timedelta):
        return {"interval": [v.days, v.seconds, v.microseconds]}
    if isinstance(v, uuid.UUID):
        return {"uuid": str(v)}
    if isinstance(v, (bytes, bytearray, memoryview)):
        return {"blob": bytes(v).hex()}
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    if isinstance(v, dict):
        return {"struct": [[norm(k), norm(x)] for k, x in v.items()]}
    raise TypeError(f"no JSON form for {type(v).__name__}: {v!r}")

def lit(text):
    return "'" + text.replace("'", "''") + "'"

def table(con, source):
    cur = con.execute(f"select * from {source}")
    names = [d[0] for d in cur.description]
    return names, [[norm(v) for v in row] for row in cur.fetchall()]

mode, path, out = sys.argv[1:4]
tables = {}
if mode == "db":
    con = duckdb.connect(path, read_only=True)
    listed = con.execute(
        "select schema_name, table_name, comment from duckdb_tables() "
        "where database_name = current_database() order by 1, 2"
    ).fetchall()
    for schema, name, comment in listed:
        columns = con.execute(
            "select column_name, data_type, comment from duckdb_columns() "
            "where database_name = current_database() and schema_name = ? and table_name = ? "
            "order by column_index",
            [schema, name],
        ).fetchall()
        names, rows = table(con, '"' + schema + '"."' + name + '"')
        tables[schema + "." + name] = {
            "comment": comment,
            "columns": [list(c) for c in columns],
            "names": names,
            "rows": rows,
        }
else:
    con = duckdb.connect()
    for file in sorted(pathlib.Path(path).glob("*.parquet")):
        source = "read_parquet(" + lit(str(file)) + ")"
        columns = con.execute(f"describe select * from {source}").fetchall()
        names, rows = table(con, source)
        tables[file.name] = {
            "columns": [[c[0], c[1]] for c in columns],
            "names": names,
            "rows": rows,
        }
con.close()
pathlib.Path(out).write_text(json.dumps({"version": duckdb.__version__, "tables": tables}))
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return built_warehouse(tmp_path_factory)


def _dump(python: Path, mode: str, path: Path, out: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [str(python), "-I", "-c", _DUMP, mode, str(path), str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    what = "the snapshot" if mode == "db" else "the Parquet copy"
    assert proc.returncode == 0, f"{python} cannot read {what} {path}:\n{proc.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(out.read_text())
    return result


@pytest.fixture(scope="module")
def expected(built: Built, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What the project's DuckDB reads, through the same dump as the older readers."""
    out = tmp_path_factory.mktemp("reader-dump-project")
    return {
        "db": _dump(Path(sys.executable), "db", built.snapshot, out / "db.json"),
        "parquet": _dump(
            Path(sys.executable), "parquet", built.warehouse_dir / "published", out / "pq.json"
        ),
    }


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "elp-warehouse" / "readers"


def _run(args: list[str], what: str) -> None:
    proc = subprocess.run(args, capture_output=True, text=True, check=False, timeout=900)
    if proc.returncode != 0:
        pytest.fail(
            f"cannot {what} (needs PyPI, or uv's cache, reachable):\n"
            f"$ {' '.join(args)}\n{proc.stdout[-2000:]}{proc.stderr[-3000:]}"
        )


def _reader_python(version: str) -> Path:
    """The Python of a cached environment holding only duckdb==version, made on first use.

    Keyed on the requirements file and this interpreter, so a changed pin or Python makes a new
    one; a lock keeps two test processes from building the same environment at once.
    """
    req = READERS_DIR / f"duckdb-{version}.txt"
    key = hashlib.sha256(req.read_bytes() + sys.version.encode()).hexdigest()[:12]
    cache = _cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    env = cache / f"duckdb-{version}-{key}"
    python = env / "bin" / "python"
    done = env / ".installed"
    if done.exists():
        return python
    if not UV.exists():
        pytest.fail(f"{UV} is missing: run `make install` first")
    with (cache / f"duckdb-{version}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(env, ignore_errors=True)
            _run(
                [str(UV), "venv", "--quiet", "--python", sys.executable, str(env)],
                f"create the DuckDB {version} reader environment {env}",
            )
            _run(
                [
                    str(UV),
                    "pip",
                    "install",
                    "--quiet",
                    "--python",
                    str(python),
                    "--require-hashes",
                    "--only-binary",
                    ":all:",
                    "-r",
                    str(req),
                ],
                f"install DuckDB {version} from {req.relative_to(ROOT)} into {env}",
            )
            done.touch()
    return python


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=FLOAT_REL_TOL, abs_tol=0.0)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _differences(want: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """Every way `got` (an older reader's dump) differs from `want` (the project's)."""
    diffs: list[str] = []
    if sorted(got) != sorted(want):
        diffs.append(
            f"tables differ: missing {sorted(set(want) - set(got))}, "
            f"extra {sorted(set(got) - set(want))}"
        )
    for name in sorted(set(want) & set(got)):
        w, g = want[name], got[name]
        for part in ("comment", "columns", "names"):
            if w.get(part) != g.get(part):
                diffs.append(f"{name}: {part} differ: {w.get(part)!r} != {g.get(part)!r}")
        if len(w["rows"]) != len(g["rows"]):
            diffs.append(f"{name}: {len(g['rows'])} rows, not {len(w['rows'])}")
            continue
        for i, (wr, gr) in enumerate(zip(w["rows"], g["rows"], strict=True)):
            for col, wv, gv in zip(w["names"], wr, gr, strict=True):
                if not _same(wv, gv):
                    diffs.append(f"{name} row {i} {col}: {gv!r}, not {wv!r}")
    return diffs


def test_reader_pins_are_the_tested_versions() -> None:
    """publish/readers/ holds one hash-locked pin per tested reader, and only those."""
    files = sorted(p.name for p in READERS_DIR.glob("*.txt"))
    assert files == sorted(f"duckdb-{v}.txt" for v in READERS)
    for version in READERS:
        text = (READERS_DIR / f"duckdb-{version}.txt").read_text()
        pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, flags=re.MULTILINE)
        assert pins == [("duckdb", version)], f"duckdb-{version}.txt pins {pins}"
        assert "--hash=sha256:" in text, f"duckdb-{version}.txt is not hash-locked"


def test_snapshot_storage_is_the_duckdb_1_1_format(built: Built) -> None:
    """The storage version a DuckDB 1.x reader opens (64, shown by DuckDB as `v1.0.0+`), not
    DuckDB 2.0's default; the reader test below shows what it means for real readers."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{built.snapshot}' as snap (read_only)")
        tags = con.execute(
            "select tags from duckdb_databases() where database_name = 'snap'"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert tags.get("storage_version") == "v1.0.0+", tags


@pytest.mark.parametrize("version", list(READERS))
def test_older_duckdb_reads_the_same_snapshot(
    version: str, built: Built, expected: dict[str, Any], tmp_path: Path
) -> None:
    python = _reader_python(version)
    db = _dump(python, "db", built.snapshot, tmp_path / "db.json")
    assert db["version"] == version, f"the environment holds duckdb {db['version']}"
    tables = expected["db"]["tables"]
    assert {name.split(".")[0] for name in tables} == SCHEMAS, sorted(tables)
    diffs = _differences(tables, db["tables"])
    assert not diffs, f"DuckDB {version} ({READERS[version]}) reads differently:\n" + "\n".join(
        diffs[:40]
    )
    parquet = _dump(python, "parquet", built.warehouse_dir / "published", tmp_path / "pq.json")
    files = expected["parquet"]["tables"]
    assert files and len(files) == len([t for t in tables if t.startswith("marts.")])
    diffs = _differences(files, parquet["tables"])
    assert not diffs, f"DuckDB {version} reads the Parquet copy differently:\n" + "\n".join(
        diffs[:40]
    )
