"""Bad configuration and operations (issue 25): dates, --vars, min_cell_size, the IMA
population, folders with spaces and quotes, an older nightly extract, a failed publish.

Every refusal is one line naming the setting and the rule, with the exit code that
docs/operations.md ("Exit codes") documents, before anything is built; no traceback."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from conftest import database_path, output, query, run_dbt

from elp_warehouse import cli
from elp_warehouse.publish.atomic import run_lock
from warehouse import BIN, ROOT, generate

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """`elp <args>` in this process, with an existing (empty) raw folder and a warehouse folder
    that does not exist yet: (exit code, stdout, stderr)."""
    (tmp_path / "raw").mkdir()
    monkeypatch.setenv("ELP_RAW_DIR", str(tmp_path / "raw"))
    monkeypatch.setenv("ELP_WAREHOUSE_DIR", str(tmp_path / "wh"))
    monkeypatch.delenv("ELP_UNSAFE_ALLOW_SMALL_CELLS", raising=False)

    def call(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        try:
            code = cli.main(list(args))
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call


def one_line(err: str) -> str:
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, err
    return err.rstrip("\n")


# -- dates ---------------------------------------------------------------------------------

NIGHT = ["nightly", "--extraction-date"]
NOT_WRITTEN = "is not a date written YYYY-MM-DD (see elp nightly --help)"
OUT_OF_MONTH = "is not a calendar day (day is out of range for month) (see elp nightly --help)"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([*NIGHT, "2025-02-30"], f"argument --extraction-date: '2025-02-30' {OUT_OF_MONTH}"),
        ([*NIGHT, "2023-02-29"], f"argument --extraction-date: '2023-02-29' {OUT_OF_MONTH}"),
        ([*NIGHT, "2025-6-3"], f"argument --extraction-date: '2025-6-3' {NOT_WRITTEN}"),
        ([*NIGHT, " 2025-06-23"], f"argument --extraction-date: ' 2025-06-23' {NOT_WRITTEN}"),
        ([*NIGHT, "20250623"], f"argument --extraction-date: '20250623' {NOT_WRITTEN}"),
        (
            [*NIGHT, "2025-06-23T00:00"],
            f"argument --extraction-date: '2025-06-23T00:00' {NOT_WRITTEN}",
        ),
        (
            [*NIGHT, "\uff12\uff10\uff12\uff15-06-23"],
            f"argument --extraction-date: '\uff12\uff10\uff12\uff15-06-23' {NOT_WRITTEN}",
        ),
        (
            [*NIGHT, "2025-06-23' or true"],
            f'argument --extraction-date: "2025-06-23\' or true" {NOT_WRITTEN}',
        ),
        (
            [*NIGHT, "2025-06-23", "--run-date", "garbage"],
            f"argument --run-date: 'garbage' {NOT_WRITTEN}",
        ),
        (
            [*NIGHT, "2025-06-23", "--run-date", "2025-04-31"],
            f"argument --run-date: '2025-04-31' {OUT_OF_MONTH}",
        ),
    ],
)
def test_a_bad_date_is_a_one_line_usage_error(run: Run, args: list[str], expected: str) -> None:
    code, out, err = run(*args)
    assert (code, out, one_line(err)) == (2, "", f"elp nightly: error: {expected}")


def test_generate_parses_its_extraction_date_strictly(run: Run) -> None:
    code, _, err = run("generate", "--extraction-date", "2025-13-01")
    assert (code, one_line(err)) == (
        2,
        "elp generate: error: argument --extraction-date: '2025-13-01' is not a calendar day"
        " (month must be in 1..12) (see elp generate --help)",
    )


# -- --vars ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("[1]", "--vars must be a YAML mapping, got: '[1]'"),
        ("just text", "--vars must be a YAML mapping, got: 'just text'"),
        (
            "{extraction_date: 2025-02-30}",
            "--vars holds an impossible date: day is out of range for month",
        ),
        (
            "{extraction_date: '2025-02-30'}",
            "--vars extraction_date: '2025-02-30' is not a calendar day"
            " (day is out of range for month)",
        ),
        (
            "{run_date: 2025/06/23}",
            "--vars run_date: '2025/06/23' is not a date written YYYY-MM-DD",
        ),
        (
            "{transitions_cohort_end: \"2023-12-15' or '1'='1\"}",
            "--vars transitions_cohort_end: \"2023-12-15' or '1'='1\""
            " is not a date written YYYY-MM-DD",
        ),
    ],
)
def test_bad_vars_are_refused_before_anything_runs(
    run: Run, tmp_path: Path, given: str, expected: str
) -> None:
    for command in (["build"], ["nightly", "--extraction-date", "2025-06-23"], ["publish"]):
        code, out, err = run(*command, "--vars", given)
        assert (code, out, one_line(err)) == (2, "", f"elp {command[0]}: error: {expected}")
    assert not (tmp_path / "wh").exists()  # nothing was built


def test_vars_that_are_not_yaml_are_one_line(run: Run) -> None:
    code, _, err = run("build", "--vars", "{a")
    line = one_line(err)
    assert code == 2
    assert line.startswith(
        "elp build: error: --vars is not valid YAML: while parsing a flow mapping"
    )


# -- min_cell_size -----------------------------------------------------------------------------

BELOW = (
    " is below 5, the IMA's small-cell rule: refused (set ELP_UNSAFE_ALLOW_SMALL_CELLS=1 or"
    " --unsafe-allow-small-cells to publish smaller cells on purpose)"
)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["build", "--vars", "{min_cell_size: 1}"], "min_cell_size 1" + BELOW),
        (["build", "--vars", "{min_cell_size: 4}"], "min_cell_size 4" + BELOW),
        (
            ["nightly", "--extraction-date", "2025-06-23", "--vars", "{min_cell_size: 2}"],
            "min_cell_size 2" + BELOW,
        ),
        (["publish", "--min-cell-size", "4"], "min_cell_size 4" + BELOW),
        (["publish", "--vars", "{min_cell_size: 3}"], "min_cell_size 3" + BELOW),
        (["build", "--vars", "{min_cell_size: 0}"], "min_cell_size must be at least 1, got 0"),
        (["publish", "--min-cell-size", "-5"], "min_cell_size must be at least 1, got -5"),
        (
            ["build", "--vars", "{min_cell_size: 4.5}"],
            "min_cell_size must be a whole number of persons, got 4.5 (float)",
        ),
        (
            ["build", "--vars", "{min_cell_size: '5'}"],
            "min_cell_size must be a whole number of persons, got '5' (str)",
        ),
        (
            ["build", "--vars", "{min_cell_size: true}"],
            "min_cell_size must be a whole number of persons, got True (bool)",
        ),
        (
            ["build", "--vars", "{min_cell_size: null}"],
            "min_cell_size must be a whole number of persons, got None (NoneType)",
        ),
    ],
)
def test_min_cell_size_below_the_ima_rule_is_refused(
    run: Run, tmp_path: Path, args: list[str], expected: str
) -> None:
    code, out, err = run(*args)
    assert (code, out, one_line(err)) == (2, "", f"elp {args[0]}: error: {expected}")
    assert not (tmp_path / "wh").exists()


def test_only_the_named_unsafe_flag_lifts_the_refusal(run: Run, tmp_path: Path) -> None:
    """ELP_UNSAFE_ALLOW_SMALL_CELLS=1 or --unsafe-allow-small-cells lets 3 through (the build
    then stops at the next check, the missing extract); other spellings do not; 0 never."""
    small = ["build", "--raw-dir", str(tmp_path / "none"), "--vars", "{min_cell_size: 3}"]
    missing = (
        f"elp build: error: no raw extract folder at {tmp_path / 'none'}"
        " (give --raw-dir or set ELP_RAW_DIR)"
    )
    for spelling in ("true", "yes", "0", " "):
        code, _, err = run(*small, env={"ELP_UNSAFE_ALLOW_SMALL_CELLS": spelling})
        assert (code, one_line(err)) == (2, "elp build: error: min_cell_size 3" + BELOW)
    code, _, err = run(
        *small, "--unsafe-allow-small-cells", env={"ELP_UNSAFE_ALLOW_SMALL_CELLS": ""}
    )
    assert (code, one_line(err)) == (3, missing)
    code, _, err = run(*small, env={"ELP_UNSAFE_ALLOW_SMALL_CELLS": "1"})
    assert (code, one_line(err)) == (3, missing)
    code, _, err = run("build", "--vars", "{min_cell_size: 0}", "--unsafe-allow-small-cells")
    assert (code, one_line(err)) == (2, "elp build: error: min_cell_size must be at least 1, got 0")


# -- missing input, a busy warehouse ------------------------------------------------------------


def test_missing_extract_or_warehouse_is_exit_code_3(run: Run, tmp_path: Path) -> None:
    gone = tmp_path / "no such extract"
    code, _, err = run("nightly", "--extraction-date", "2025-06-23", "--raw-dir", str(gone))
    assert (code, one_line(err)) == (
        3,
        f"elp nightly: error: no raw extract folder at {gone} (give --raw-dir or set ELP_RAW_DIR)",
    )
    code, _, err = run("publish")
    assert (code, one_line(err)) == (
        3,
        f"elp publish: error: no working database at {tmp_path / 'wh' / 'elp.duckdb'}: build first"
        " (elp build)",
    )


def test_a_second_run_on_a_busy_warehouse_is_refused_at_once(run: Run, tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    wh.mkdir()
    busy = (
        f"another elp build or nightly is running on the warehouse {wh} (lock .elp-run.lock);"
        " try again when it has ended"
    )
    with run_lock(wh):
        for command in (["build"], ["nightly", "--extraction-date", "2025-06-23"]):
            code, _, err = run(*command)
            assert (code, one_line(err)) == (6, f"elp {command[0]}: error: {busy}")
    assert not (wh / "elp.duckdb").exists()


# -- an extract older than the last one built ----------------------------------------------------


def crafted_run_log(wh: Path, rows: list[tuple[str | None, str, str, str]]) -> Path:
    """A working database whose run log holds (selected, status, vars, started_at) rows."""
    wh.mkdir(parents=True, exist_ok=True)
    db = wh / "elp.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema ops")
        con.execute(
            "create table ops.run_log (command varchar, selected varchar, status varchar,"
            " vars varchar, started_at timestamp)"
        )
        for selected, status, given, started in rows:
            con.execute(
                "insert into ops.run_log values ('build', ?, ?, ?, ?)",
                [selected, status, given, started],
            )
    return db


def dated(day: str) -> str:
    return json.dumps({"extraction_date": day})


LOG = [
    (None, "success", dated("2025-05-23"), "2025-05-24 02:00:00"),
    (None, "success", dated("2025-06-23"), "2025-06-24 02:00:00"),
    ("--select extract_freshness", "success", dated("2025-07-23"), "2025-07-24 02:00:00"),
    (None, "failed", dated("2025-08-23"), "2025-08-24 02:00:00"),
]


@pytest.mark.parametrize("older", ["2025-06-22", "2024-06-23", "2000-01-01"])
def test_an_older_nightly_extract_is_refused(run: Run, tmp_path: Path, older: str) -> None:
    """The last successful full build decides (not the gate's row, not a failed build);
    nothing is built, the run log is unchanged, no snapshot appears."""
    db = crafted_run_log(tmp_path / "wh", LOG)
    code, out, err = run("nightly", "--extraction-date", older)
    assert (code, out, one_line(err)) == (
        4,
        "",
        f"elp nightly: error: the extraction date {older} is older than 2025-06-23, that of the"
        " last successful build (started 2025-06-24 02:00): refused, nothing was built and the"
        " published snapshot is unchanged (--allow-older-extract builds it on purpose)",
    )
    assert query(db, "select count(*) from ops.run_log") == [(4,)]
    assert query(db, "select count(distinct table_schema) from information_schema.tables") == [(1,)]
    assert not (tmp_path / "wh" / "published.duckdb").exists()


def test_the_same_or_a_newer_extract_or_the_flag_passes_the_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wh = tmp_path / "wh"
    crafted_run_log(wh, [*LOG, (None, "success", "not json", "2025-09-01 02:00:00")])
    for day in ("2025-06-23", "2025-06-24", "2026-01-01"):
        cli.refuse_older_extract({"ELP_EXTRACTION_DATE": day, "ELP_WAREHOUSE_DIR": str(wh)}, False)
    assert capsys.readouterr().err == ""
    cli.refuse_older_extract(
        {"ELP_EXTRACTION_DATE": "2025-01-01", "ELP_WAREHOUSE_DIR": str(wh)}, True
    )
    assert one_line(capsys.readouterr().err) == (
        "elp nightly: warning: the extraction date 2025-01-01 is older than 2025-06-23, that of"
        " the last successful build (started 2025-06-24 02:00); built on purpose"
        " (--allow-older-extract)"
    )
    # a first night, or a run log without a successful build, has nothing to compare with
    cli.refuse_older_extract(
        {"ELP_EXTRACTION_DATE": "2000-01-01", "ELP_WAREHOUSE_DIR": str(tmp_path / "new")}, False
    )
    only_failed = tmp_path / "failed"
    crafted_run_log(only_failed, [(None, "failed", dated("2025-06-23"), "2025-06-24 02:00:00")])
    cli.refuse_older_extract(
        {"ELP_EXTRACTION_DATE": "2000-01-01", "ELP_WAREHOUSE_DIR": str(only_failed)}, False
    )


# -- the IMA population ----------------------------------------------------------------------

IMA_SEED = ROOT / "seeds" / "population" / "ima_population.csv"
IMA_REFUSED = "IMA population (seed ima_population or var ima_population_path) refused, "
CELL = "year 2023, cell age_band 30 sex F province_code BE-VAN vt false: "


def seed_rows(*years: int) -> list[dict[str, str]]:
    with IMA_SEED.open(newline="") as handle:
        return [r for r in csv.DictReader(handle) if int(r["year"]) in years]


def with_cell(rows: list[dict[str, str]], **changed: str) -> list[dict[str, str]]:
    """`rows` with the 2023 cell age 30, F, BE-VAN, not VT changed."""
    key = {"year": "2023", "age_band": "30", "sex": "F", "province_code": "BE-VAN", "vt": "false"}
    return [{**r, **changed} if all(r[k] == v for k, v in key.items()) else r for r in rows]


BASE = seed_rows(2022, 2023)
IMA_CASES: dict[str, tuple[list[dict[str, str]], str | None]] = {
    "valid, 2024 weighted with 2023": (BASE, None),
    "analysis year beyond the lag": (
        seed_rows(2021, 2022),
        "1 problem(s): analysis year 2024: no IMA population; the latest earlier IMA year, 2022,"
        " is 2 years before, more than var ima_population_max_lag_years (1)",
    ),
    "first analysis year without figures": (
        seed_rows(2023),
        "1 problem(s): analysis year 2022: no IMA population for it or any earlier year",
    ),
    "zero population": (
        with_cell(BASE, population="0"),
        f"1 problem(s): {CELL}population 0 is not positive",
    ),
    "negative population": (
        with_cell(BASE, population="-12"),
        f"1 problem(s): {CELL}population -12 is not positive",
    ),
    "null population": (
        with_cell(BASE, population=""),
        f"1 problem(s): {CELL}population is null or not a whole number",
    ),
    "text population": (
        with_cell(BASE, population="n/a"),
        f"1 problem(s): {CELL}population is null or not a whole number",
    ),
    "unknown province": (
        with_cell(BASE, province_code="BE-XXX"),
        "1 problem(s): year 2023, cell age_band 30 sex F province_code BE-XXX vt false:"
        " province_code is not a known province (seed provinces)",
    ),
    "lower-case province": (
        with_cell(BASE, province_code="be-van"),
        "1 problem(s): year 2023, cell age_band 30 sex F province_code be-van vt false:"
        " province_code is not a known province (seed provinces)",
    ),
    "unknown sex": (
        with_cell(BASE, sex="X"),
        "1 problem(s): year 2023, cell age_band 30 sex X province_code BE-VAN vt false:"
        " sex is not F or M",
    ),
    "age band off the grid": (
        with_cell(BASE, age_band="33"),
        "1 problem(s): year 2023, cell age_band 33 sex F province_code BE-VAN vt false: age_band is"
        " not a 5-year band 0, 5, ..., 90",
    ),
    "a province missing from a used year": (
        [r for r in BASE if not (r["year"] == "2023" and r["province_code"] == "BE-WLX")],
        "1 problem(s): IMA year 2023: no row for province_code BE-WLX",
    ),
}


SELECT_POPULATION = ["build", "--select", "provinces", "stg_ima_population", "int_population_cells"]


@pytest.mark.parametrize("case", list(IMA_CASES))
def test_the_ima_population_is_checked_for_every_year_and_cell(
    case: str, tmp_path: Path, reused_warehouse_dir: Path, dbt_target_dir: Path
) -> None:
    """One population file path for every case (so dbt parses the project once), analysis
    years 2022-2024; the file's content changes."""
    rows, problem = IMA_CASES[case]
    path = dbt_target_dir / "ima_population.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(BASE[0]))
        writer.writeheader()
        writer.writerows(rows)
    proc = run_dbt(
        # cautious: not the other seeds' tests that refer to provinces
        [
            *SELECT_POPULATION,
            "--exclude-resource-type",
            "unit_test",
            "--indirect-selection",
            "cautious",
        ],
        tmp_path / "no-extract",  # reads no raw table: the preflight is skipped
        reused_warehouse_dir,
        vars={"ima_population_path": str(path), "first_year": 2022, "last_year": 2024},
        target_dir=dbt_target_dir,
    )
    if problem is None:
        assert proc.returncode == 0, output(proc)[-4000:]
        assert "Warning in test ima_population_year_lag_used" in proc.stdout
        used = query(
            database_path(reused_warehouse_dir),
            "select year, min(population_year), max(population_year), count(*)"
            " from intermediate.int_population_cells group by year order by year",
        )
        assert used == [(2022, 2022, 2022, 836), (2023, 2023, 2023, 836), (2024, 2023, 2023, 836)]
        return
    assert proc.returncode != 0
    text = " ".join(output(proc).split())
    assert "Runtime Error in model int_population_cells" in text
    assert IMA_REFUSED + problem in text, text[-3000:]


# -- folders with spaces and quotes, end to end; a failed publish; an older extract -----------

EXTRACTION = "2025-06-23"


@dataclass(frozen=True)
class Night:
    raw: Path
    wh: Path
    target: Path

    def env(self) -> dict[str, str]:
        import os

        env = dict(os.environ, ELP_RAW_DIR=str(self.raw), ELP_WAREHOUSE_DIR=str(self.wh))
        env.update(DBT_TARGET_PATH=str(self.target), DBT_LOG_PATH=str(self.target / "logs"))
        env.pop("ELP_UNSAFE_ALLOW_SMALL_CELLS", None)
        return env

    def elp(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(BIN / "elp"), *args]
        return subprocess.run(
            cmd, cwd=ROOT, env=self.env(), capture_output=True, text=True, check=False
        )

    def nightly(self, day: str = EXTRACTION, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.elp("nightly", "--extraction-date", day, "--run-date", "2025-06-24", *extra)

    def run_log(self) -> list[tuple[object, ...]]:
        return query(
            self.wh / "elp.duckdb",
            "select selected, status, message from ops.run_log order by started_at",
        )

    def snapshot(self) -> tuple[object, ...]:
        return query(
            self.wh / "published.duckdb",
            "select snapshot_version, min_cell_size, unsafe_small_cells from meta.snapshot",
        )[0]


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Night]:
    base = tmp_path_factory.mktemp("odd folders")
    generate(base / "my raw folder", 0.002)
    yield Night(base / "my raw folder", base / "my wh's folder", base / "target")


def test_a_night_works_in_folders_with_spaces_and_quotes(night: Night) -> None:
    proc = night.nightly()
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    gate = "--select extract_freshness"
    assert night.run_log() == [(gate, "success", None), (None, "success", None)]
    assert night.snapshot()[1:] == (5, False)
    parquet = night.wh / "published" / "mart_elp_usage.parquet"
    with duckdb.connect() as con:
        quoted = str(parquet).replace("'", "''")
        assert con.execute(f"select count(*) > 0 from read_parquet('{quoted}')").fetchall() == [
            (True,)
        ]
    again = night.elp("publish")
    assert again.returncode == 0, again.stderr


def test_an_unsafe_publish_is_logged_and_stamped(night: Night) -> None:
    proc = night.elp("publish", "--min-cell-size", "3", "--unsafe-allow-small-cells")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [
        "publish: WARNING: min_cell_size 3 is below the IMA's 5, allowed by the unsafe flag;"
        " the snapshot is stamped unsafe_small_cells"
    ]
    assert night.snapshot()[1:] == (3, True)
    info = json.loads((night.wh / "published" / "_snapshot.json").read_text())
    assert (info["min_cell_size"], info["unsafe_small_cells"]) == (3, True)
    assert night.elp("publish").returncode == 0
    assert night.snapshot()[1:] == (5, False)


def test_an_older_extract_is_refused_on_a_built_warehouse(night: Night) -> None:
    log, snapshot = night.run_log(), night.snapshot()
    proc = night.nightly("2025-05-23")
    assert proc.returncode == 4
    assert proc.stderr.splitlines()[-1].startswith(
        "elp nightly: error: the extraction date 2025-05-23 is older than 2025-06-23"
    )
    assert (night.run_log(), night.snapshot()) == (log, snapshot)


def test_a_failed_publish_is_logged_as_failed(night: Night) -> None:
    """The build passes, the publish cannot write (a file where its version folder goes): exit
    code 5, one line, the previous snapshot kept, the build's run-log row `failed`."""
    snapshot = night.snapshot()
    versions = night.wh / ".published-versions"
    shutil.rmtree(versions)
    versions.write_text("in the way\n")
    proc = night.nightly()
    assert proc.returncode == 5, proc.stdout[-3000:] + proc.stderr[-3000:]
    refused = (
        f"publish failed, previous snapshot kept: cannot write the snapshot in {night.wh}:"
        f" [Errno 17] File exists: {str(versions)!r}"
    )
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[-1] == f"elp nightly: error: {refused}"
    assert night.run_log()[-1] == (None, "failed", refused)
    assert night.snapshot() == snapshot
    assert "status=failed" in proc.stdout.splitlines()[-2]


def test_the_freshness_gate_reads_an_extract_in_a_folder_with_a_quote(
    night: Night, tmp_path: Path
) -> None:
    raw = tmp_path / "my raw's folder"
    shutil.copytree(night.raw, raw)
    proc = run_dbt(["build", "--select", "extract_freshness"], raw, tmp_path / "wh's")
    assert proc.returncode == 0, output(proc)[-3000:]
