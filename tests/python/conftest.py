"""Shared helpers for tests that build the warehouse on a hand-written raw extract.

- `write_extract(raw_dir, tables)`: writes contract-shaped Parquet files from row dicts with the
  source contract's Arrow types; a table not given is written empty with the right schema.
- `run_dbt(args, raw_dir, warehouse_dir, vars=None)`: runs `.venv/bin/dbt` as a subprocess from
  the repository root with its own warehouse, target and log folders (so tests never touch
  `warehouse/` or another run's `target/`).
- `query(db_path, sql)`: rows of a query on a DuckDB file opened read-only.
- `nomenclature_code(care_type, **attributes)`: a code of the seed `nomenclature_codes`, so that
  tests follow the seed instead of repeating its codes.
"""

from __future__ import annotations

import csv
import functools
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"
if not DBT_EXECUTABLE.exists():
    DBT_EXECUTABLE = REPO_ROOT / ".venv" / "bin" / "dbt"

AMOUNT = pa.decimal128(12, 2)


@functools.cache
def _nomenclature_rows() -> tuple[dict[str, str], ...]:
    path = REPO_ROOT / "seeds" / "codes" / "nomenclature_codes.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


def nomenclature_code(care_type: str, **attributes: str) -> str:
    """The code of the seed `nomenclature_codes` with this care type and column values: the
    generator's first one (generator_order) when several match, else the first in the file."""
    found = [
        r
        for r in _nomenclature_rows()
        if r["care_type"] == care_type and all(r[k] == v for k, v in attributes.items())
    ]
    if not found:
        raise LookupError(f"no nomenclature code of care type {care_type} with {attributes}")
    ranked = sorted(found, key=lambda r: int(r["generator_order"] or 10**6))
    return ranked[0]["nomenclature_code"]


# The source contract v2 (models/staging/_staging__sources.yml) as Arrow schemas.
CONTRACT_SCHEMAS: dict[str, pa.Schema] = {
    "members_yearly": pa.schema(
        [
            ("member_id", pa.string()),
            ("year", pa.int16()),
            ("birth_year", pa.int16()),
            ("sex", pa.string()),
            ("nis_municipality", pa.string()),
            ("vt", pa.bool_()),
            ("insurability_code", pa.string()),
            ("affiliated_days", pa.int16()),
            ("unemployment_days", pa.int16()),
            ("primary_incapacity_days", pa.int16()),
            ("invalidity_days", pa.int16()),
            ("social_assistance", pa.bool_()),
            ("detained", pa.bool_()),
            ("placed_child", pa.bool_()),
        ]
    ),
    "affiliation_periods": pa.schema(
        [("member_id", pa.string()), ("start_date", pa.date32()), ("end_date", pa.date32())]
    ),
    "claims": pa.schema(
        [
            ("claim_id", pa.string()),
            ("member_id", pa.string()),
            ("provider_id", pa.string()),
            ("service_date", pa.date32()),
            ("booking_date", pa.date32()),
            ("nomenclature_code", pa.string()),
            ("quantity", pa.int16()),
            ("amount_insurance_eur", AMOUNT),
            ("amount_patient_eur", AMOUNT),
            ("network_id", pa.string()),
        ]
    ),
    "pharmacy_dispensings": pa.schema(
        [
            ("dispensing_id", pa.string()),
            ("member_id", pa.string()),
            ("dispensing_date", pa.date32()),
            ("booking_date", pa.date32()),
            ("atc_code", pa.string()),
            ("ddd", pa.float64()),
            ("pharmacy_type", pa.string()),
            ("amount_insurance_eur", AMOUNT),
        ]
    ),
    "complementary_refunds": pa.schema(
        [
            ("refund_id", pa.string()),
            ("member_id", pa.string()),
            ("service_date", pa.date32()),
            ("booking_date", pa.date32()),
            ("benefit_code", pa.string()),
            ("sessions", pa.int16()),
            ("amount_eur", AMOUNT),
        ]
    ),
}

# A valid row per table: tests override only the fields they care about.
DEFAULT_ROWS: dict[str, dict[str, Any]] = {
    "members_yearly": {
        "member_id": "M0001",
        "year": 2023,
        "birth_year": 1980,
        "sex": "F",
        "nis_municipality": "11002",
        "vt": False,
        "insurability_code": "E10",
        "affiliated_days": 365,
        "unemployment_days": 0,
        "primary_incapacity_days": 0,
        "invalidity_days": 0,
        "social_assistance": False,
        "detained": False,
        "placed_child": False,
    },
    "affiliation_periods": {
        "member_id": "M0001",
        "start_date": date(2010, 1, 1),
        "end_date": None,
    },
    "claims": {
        "claim_id": "C0001",
        "member_id": "M0001",
        "provider_id": "P001",
        "service_date": date(2023, 3, 1),
        "booking_date": date(2023, 3, 15),
        "nomenclature_code": nomenclature_code("other"),
        "quantity": 1,
        "amount_insurance_eur": Decimal("20.00"),
        "amount_patient_eur": Decimal("4.00"),
        "network_id": None,
    },
    "pharmacy_dispensings": {
        "dispensing_id": "D0001",
        "member_id": "M0001",
        "dispensing_date": date(2023, 4, 1),
        "booking_date": date(2023, 4, 1),
        "atc_code": "N06AB06",
        "ddd": 28.0,
        "pharmacy_type": "public",
        "amount_insurance_eur": Decimal("12.50"),
    },
    "complementary_refunds": {
        "refund_id": "R0001",
        "member_id": "M0001",
        "service_date": date(2023, 5, 1),
        "booking_date": date(2023, 5, 1),
        "benefit_code": "PSY",
        "sessions": 1,
        "amount_eur": Decimal("15.00"),
    },
}


# Tables whose booking date, when a test does not give it, is the row's own date: booked the
# day it happened, so that moving that date never breaks a booking rule by accident.
BOOKED_ON: dict[str, str] = {
    "pharmacy_dispensings": "dispensing_date",
    "complementary_refunds": "service_date",
}


def row(table: str, **fields: Any) -> dict[str, Any]:
    """A valid contract row of `table` with `fields` overridden."""
    unknown = set(fields) - set(DEFAULT_ROWS[table]) - {"_extra"}
    if unknown:
        raise KeyError(f"{table} has no column(s) {sorted(unknown)}")
    out = {**DEFAULT_ROWS[table], **fields}
    dated = BOOKED_ON.get(table)
    if dated is not None and "booking_date" not in fields and out[dated] is not None:
        out["booking_date"] = out[dated]
    return out


def write_table(path: Path, table: str, rows: Iterable[Mapping[str, Any]]) -> Path:
    """Write one Parquet file of `table` rows with the contract's Arrow types."""
    schema = CONTRACT_SCHEMAS[table]
    rows = list(rows)
    columns = {name: [r.get(name) for r in rows] for name in schema.names}
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns, schema=schema), path)
    return path


def write_extract(
    raw_dir: Path, tables: Mapping[str, Iterable[Mapping[str, Any]]] | None = None
) -> Path:
    """Write a contract extract under `raw_dir` (one `part-0.parquet` per table folder).

    Tables not in `tables` are written empty with the contract schema.
    """
    tables = tables or {}
    unknown = set(tables) - set(CONTRACT_SCHEMAS)
    if unknown:
        raise KeyError(f"not contract tables: {sorted(unknown)}")
    for table in CONTRACT_SCHEMAS:
        write_table(raw_dir / table / "part-0.parquet", table, tables.get(table, []))
    return raw_dir


ALL_TABLES_MAY_BE_EMPTY = ",".join(CONTRACT_SCHEMAS)


def dbt_env(
    raw_dir: Path,
    warehouse_dir: Path,
    target_dir: Path | None = None,
    strict_empty_tables: bool = False,
) -> dict[str, str]:
    """Environment of a dbt subprocess writing only under `warehouse_dir` (and `target_dir`).

    Hand-written extracts leave out the tables a test does not need (written with no rows),
    so the preflight's empty-table check is relaxed unless `strict_empty_tables`."""
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    target_dir = target_dir or warehouse_dir / "target"
    env = dict(os.environ)
    env.update(
        {
            "DBT_PROFILES_DIR": str(REPO_ROOT),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "ELP_RAW_DIR": str(raw_dir),
            "ELP_WAREHOUSE_DIR": str(warehouse_dir),
            # own target and log folders: concurrent runs in one checkout do not collide
            "DBT_TARGET_PATH": str(target_dir),
            "DBT_LOG_PATH": str(target_dir / "logs"),
        }
    )
    if not strict_empty_tables:
        env["ELP_RAW_TABLES_ALLOWED_EMPTY"] = ALL_TABLES_MAY_BE_EMPTY
    return env


def run_dbt(
    args: list[str],
    raw_dir: Path,
    warehouse_dir: Path,
    vars: Mapping[str, Any] | None = None,
    target_dir: Path | None = None,
    strict_empty_tables: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run `dbt <args>` from the repository root; output captured (stdout + stderr).

    `target_dir` (default `<warehouse_dir>/target`) holds dbt's manifest: tests that run dbt
    several times share one (fixture `dbt_target_dir`) so that dbt parses the project once.
    """
    cmd = [str(DBT_EXECUTABLE), *args]
    if vars:
        cmd += ["--vars", json.dumps(dict(vars), default=str)]
    return subprocess.run(
        cmd,
        cwd=REPO_ROOT,
        env=dbt_env(raw_dir, warehouse_dir, target_dir, strict_empty_tables),
        capture_output=True,
        text=True,
        check=False,
    )


def database_path(warehouse_dir: Path) -> Path:
    return warehouse_dir / "elp.duckdb"


def query(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows of `sql` on the DuckDB file `db_path`, opened read-only and closed again."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def output(proc: subprocess.CompletedProcess[str]) -> str:
    """stdout + stderr of a dbt run, for assertions and failure messages."""
    return proc.stdout + proc.stderr


def build_quarantining_every_rule(
    base: Path, tables: Mapping[str, list[dict[str, Any]]], select: list[str]
) -> Path:
    """Write `tables` under `base/raw` and run `dbt <select>` into `base/warehouse` so that the
    row rules, not the build gates, decide: the preflight is skipped (it would refuse a NISS-
    like member_id before any row rule runs) and any rejected share is allowed. Returns the
    database; the build must succeed."""
    write_extract(base / "raw", tables)
    proc = run_dbt(
        select,
        base / "raw",
        base / "warehouse",
        vars={"max_rejected_share": 1.0, "skip_raw_preflight": True},
        target_dir=base / "target",
    )
    assert proc.returncode == 0, output(proc)[-6000:]
    return database_path(base / "warehouse")


@pytest.fixture(scope="session")
def dbt_target_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One dbt target folder for the session: partial parsing keeps each dbt call short."""
    return tmp_path_factory.mktemp("dbt-target")


@pytest.fixture(scope="session")
def _session_warehouse_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("warehouse-reused")


@pytest.fixture
def reused_warehouse_dir(_session_warehouse_dir: Path) -> Path:
    """A warehouse folder shared by the session, its database deleted before each test.

    With `dbt_target_dir`, consecutive dbt calls keep the same profile (the database path is
    part of it) and dbt re-parses only what changed: a few seconds saved per call.
    """
    for leftover in _session_warehouse_dir.glob("elp.duckdb*"):
        leftover.unlink()
    return _session_warehouse_dir


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    path = tmp_path / "raw"
    path.mkdir()
    return path


@pytest.fixture
def warehouse_dir(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse"
    path.mkdir()
    return path
