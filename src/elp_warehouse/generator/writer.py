"""Writes the contract's tables as Parquet part files with the exact contract types."""

from __future__ import annotations

import shutil
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeAlias

import pyarrow as pa
import pyarrow.parquet as pq

DEC = pa.decimal128(12, 2)
IN_FLIGHT = 1  # chunks queued for the background writer before `write` waits

# a column, or a function that builds it (called on the writer's thread; it must only read
# arrays that nothing changes afterwards)
Column: TypeAlias = "pa.Array | Callable[[], pa.Array]"

SCHEMAS: dict[str, pa.Schema] = {
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
            ("amount_insurance_eur", DEC),
            ("amount_patient_eur", DEC),
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
            ("amount_insurance_eur", DEC),
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
            ("amount_eur", DEC),
        ]
    ),
}


class TableWriter:
    """One folder per table, one Parquet file per written chunk (bounded memory).

    Building the Arrow columns and encoding Parquet run on one background thread (numpy and
    pyarrow release the GIL), overlapping the simulation of the next chunks on a second core.
    At most IN_FLIGHT chunks wait, so memory grows by a few chunks at most; the one thread
    takes them in call order, so files, part numbers and row counts are the same as with
    synchronous writes. Call `close` at the end: it waits for the last file and re-raises an
    error of a background write; `rows` and `parts` are final after it.
    """

    def __init__(self, out_dir: Path, background: bool = True) -> None:
        self.out_dir = out_dir
        self.parts: dict[str, int] = dict.fromkeys(SCHEMAS, 0)
        self.rows: dict[str, int] = dict.fromkeys(SCHEMAS, 0)
        for name in SCHEMAS:
            folder = out_dir / name
            if folder.exists():
                shutil.rmtree(folder)  # a stale part from an earlier run would be read too
            folder.mkdir(parents=True)
        self._pool = ThreadPoolExecutor(max_workers=1) if background else None
        self._pending: deque[Future[None]] = deque()

    def write(self, name: str, columns: Mapping[str, Column]) -> None:
        if self._pool is None:
            self._write_now(name, columns)
            return
        while len(self._pending) >= IN_FLIGHT:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(self._write_now, name, columns))

    def _write_now(self, name: str, columns: Mapping[str, Column]) -> None:
        schema = SCHEMAS[name]
        arrays = []
        for f in schema:
            col = columns[f.name]
            arrays.append((col if isinstance(col, pa.Array) else col()).cast(f.type))
        table = pa.Table.from_arrays(arrays, schema=schema)
        if table.num_rows == 0:
            return
        path = self.out_dir / name / f"part-{self.parts[name]:05d}.parquet"
        pq.write_table(table, path, compression="snappy")
        self.parts[name] += 1
        self.rows[name] += table.num_rows

    def close(self) -> None:
        """Wait for the chunks in flight and stop the background thread."""
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
