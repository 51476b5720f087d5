"""One build: `dbt build` rebuilds every table from the extract, so what a warehouse held
before cannot leak into the next build. Two builds of the same extract give the same tables,
and a build over a warehouse of another extract equals a build in an empty folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import nomenclature_code

from elp_warehouse.compare import differences
from warehouse import dbt, generate

EXTRACTION = "2025-06-23"
# ELP support sessions re-coded in place as psychiatrist consultations: same ids, same dates,
# same booking dates, only the nomenclature code differs (the case an incremental build missed)
RECODED_FROM = nomenclature_code(
    "elp_session", elp_function="support", elp_setting="office", elp_network_type="adults"
)
RECODED_TO = nomenclature_code("psychiatrist_ambulatory")


def build(raw: Path, wh: Path) -> None:
    # seeds and models: the data tests are not the subject here and cost most of a build
    args = ["build", "--quiet", "--resource-type", "seed", "--resource-type", "model"]
    proc = dbt(args, raw, wh, {"extraction_date": EXTRACTION})
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def recode_claims(raw: Path, out: Path) -> int:
    """Copy extract `raw` to `out` with every third RECODED_FROM line re-coded; the count."""
    shutil.copytree(raw, out)
    claims = out / "claims"
    shutil.rmtree(claims)
    claims.mkdir()
    recoded = (
        f"nomenclature_code = '{RECODED_FROM}' and hash(claim_id) % 3 = 0"
        " and year(service_date) = 2023"
    )
    with duckdb.connect() as con:
        source = f"read_parquet('{raw}/claims/**/*.parquet')"
        count = con.execute(f"select count(*) from {source} where {recoded}").fetchone()
        con.execute(
            f"copy (select * replace (case when {recoded} then '{RECODED_TO}'"
            f" else nomenclature_code end as nomenclature_code) from {source})"
            f" to '{claims / 'part-00000.parquet'}' (format parquet)"
        )
    assert count is not None
    return int(count[0])


@pytest.fixture(scope="module")
def extracts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("idempotence")
    generate(base / "raw", 0.005, 7)
    assert recode_claims(base / "raw", base / "recoded") > 10
    return base / "raw", base / "recoded"


def test_rebuilds_equal_a_build_from_scratch(extracts: tuple[Path, Path], tmp_path: Path) -> None:
    original, recoded = extracts
    fresh = tmp_path / "fresh"
    build(recoded, fresh)

    # the re-coding changes the marts, so the comparisons below can fail
    other = tmp_path / "other"
    build(original, other)
    changed = differences(other / "elp.duckdb", fresh / "elp.duckdb", ["marts"])
    assert any("mart_elp_users_yearly" in difference for difference in changed)

    # the warehouse of the original extract, built again on the re-coded one
    build(recoded, other)
    assert differences(other / "elp.duckdb", fresh / "elp.duckdb") == []

    # and the same extract once more: every table as it was
    build(recoded, other)
    assert differences(other / "elp.duckdb", fresh / "elp.duckdb") == []
