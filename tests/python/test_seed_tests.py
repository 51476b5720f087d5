"""The record that lets a nightly run leave out the seeds' own data tests
(src/elp_warehouse/seed_tests.py): what the fingerprint covers, which tests count as the
seeds' own, and which build's artifacts may record it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from elp_warehouse import seed_tests
from warehouse import ROOT


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for name, text in {
        "seeds/codes/codes.csv": "code,label\n1,a\n",
        "seeds/codes/_codes__seeds.yml": "version: 2\n",
        "macros/tests/test_positive.sql": "{% test positive(model) %}{% endtest %}\n",
        "dbt_project.yml": "name: p\n",
        "models/staging/stg_x.sql": "select 1 as x\n",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_fingerprint_follows_the_seeds_the_macros_and_the_project_file(project: Path) -> None:
    before = seed_tests.fingerprint(project)
    assert seed_tests.fingerprint(project) == before

    # a model is not read by a test that reads seeds only
    (project / "models/staging/stg_x.sql").write_text("select 2 as x\n")
    assert seed_tests.fingerprint(project) == before

    for name in (
        "seeds/codes/codes.csv",
        "seeds/codes/_codes__seeds.yml",
        "macros/tests/test_positive.sql",
        "dbt_project.yml",
    ):
        path = project / name
        text = path.read_text()
        path.write_text(text + "\n")
        assert seed_tests.fingerprint(project) != before, name
        path.write_text(text)
        assert seed_tests.fingerprint(project) == before, name

    # a new seed, or one moved to another folder
    (project / "seeds/codes/more.csv").write_text("code\n2\n")
    assert seed_tests.fingerprint(project) != before
    (project / "seeds/codes/more.csv").unlink()
    (project / "seeds/codes/codes.csv").rename(project / "seeds/codes.csv")
    assert seed_tests.fingerprint(project) != before


MANIFEST: dict[str, Any] = {
    "metadata": {"invocation_id": "night-1"},
    "nodes": {
        "seed.p.codes": {"resource_type": "seed", "depends_on": {"nodes": []}},
        "test.p.not_null_codes_code": {
            "resource_type": "test",
            "depends_on": {"nodes": ["seed.p.codes"]},
        },
        "test.p.unique_codes_code": {
            "resource_type": "test",
            "depends_on": {"nodes": ["seed.p.codes"]},
        },
        # a model against a seed: the night's data, always tested
        "test.p.relationships_stg_x_code": {
            "resource_type": "test",
            "depends_on": {"nodes": ["model.p.stg_x", "seed.p.codes"]},
        },
        "model.p.stg_x": {"resource_type": "model", "depends_on": {"nodes": ["seed.p.codes"]}},
    },
}


def results(statuses: dict[str, str], generated: datetime) -> dict[str, Any]:
    return {
        "metadata": {"invocation_id": "night-1", "generated_at": generated.isoformat()},
        "results": [{"unique_id": f"test.p.{t}", "status": s} for t, s in statuses.items()],
    }


NOW = datetime(2026, 12, 5, 18, 0, tzinfo=UTC)
ALL_PASS = {
    "not_null_codes_code": "pass",
    "unique_codes_code": "pass",
    "relationships_stg_x_code": "fail",
}


def test_the_seeds_own_tests_are_those_reading_seeds_only() -> None:
    assert seed_tests.seed_only_tests(MANIFEST) == {
        "test.p.not_null_codes_code",
        "test.p.unique_codes_code",
    }
    # every one of them must have run and passed; the model's test does not count
    assert seed_tests.passed_seed_tests(MANIFEST, results(ALL_PASS, NOW))
    failed = {**ALL_PASS, "unique_codes_code": "fail"}
    assert not seed_tests.passed_seed_tests(MANIFEST, results(failed, NOW))
    left_out = {k: v for k, v in ALL_PASS.items() if k != "unique_codes_code"}
    assert not seed_tests.passed_seed_tests(MANIFEST, results(left_out, NOW))
    # a project without seed tests records nothing
    no_seed_tests = {"nodes": {"model.p.stg_x": MANIFEST["nodes"]["model.p.stg_x"]}}
    assert not seed_tests.passed_seed_tests(no_seed_tests, results(ALL_PASS, NOW))


def write_artifacts(target: Path, manifest: dict[str, Any], run_results: dict[str, Any]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    (target / "manifest.json").write_text(json.dumps(manifest))
    (target / "run_results.json").write_text(json.dumps(run_results))


def test_only_the_build_just_run_records_and_only_when_its_seed_tests_passed(
    tmp_path: Path,
) -> None:
    warehouse, target = tmp_path / "wh", tmp_path / "target"
    warehouse.mkdir()
    started = NOW - timedelta(minutes=5)

    # artifacts older than the build: it stopped before writing its own
    write_artifacts(target, MANIFEST, results(ALL_PASS, started - timedelta(seconds=1)))
    assert not seed_tests.record_if_passed(warehouse, target, "fp-1", started)
    # a manifest of another invocation
    other = {**MANIFEST, "metadata": {"invocation_id": "night-0"}}
    write_artifacts(target, other, results(ALL_PASS, NOW))
    assert not seed_tests.record_if_passed(warehouse, target, "fp-1", started)
    # a seed test failed
    write_artifacts(target, MANIFEST, results({**ALL_PASS, "unique_codes_code": "fail"}, NOW))
    assert not seed_tests.record_if_passed(warehouse, target, "fp-1", started)
    # no artifacts at all
    assert not seed_tests.record_if_passed(warehouse, tmp_path / "none", "fp-1", started)
    assert seed_tests.recorded(warehouse) is None

    write_artifacts(target, MANIFEST, results(ALL_PASS, NOW))
    assert seed_tests.record_if_passed(warehouse, target, "fp-1", started)
    record = seed_tests.already_passed(warehouse, "fp-1")
    assert record is not None
    assert (record["tests"], record["invocation_id"]) == (2, "night-1")
    assert seed_tests.already_passed(warehouse, "fp-2") is None

    # a later build whose seed tests did not run (left out) keeps the record
    write_artifacts(target, MANIFEST, results({"relationships_stg_x_code": "pass"}, NOW))
    assert not seed_tests.record_if_passed(warehouse, target, "fp-2", started)
    assert seed_tests.already_passed(warehouse, "fp-1") is not None

    # an unreadable record is no record
    (warehouse / seed_tests.STATE_FILE).write_text("{not json")
    assert seed_tests.recorded(warehouse) is None


def test_the_seeds_tests_read_no_var_or_environment_variable() -> None:
    """The fingerprint covers files and versions only: a seed test rendered from a var or an
    environment variable (Jinja in a seed's properties) could change while it stays the same."""
    properties = sorted((ROOT / "seeds").rglob("*.yml"))
    assert properties
    for path in properties:
        text = path.read_text()
        assert "{{" not in text and "{%" not in text, path
