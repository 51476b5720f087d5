"""Claims lines whose nomenclature code the seed does not classify: quarantined, never classed
as another care type, and counted with their share of lines and amounts in mart_data_quality's
two coverage rows (warning above var max_unclassified_code_share). A variant of a known code
(padded, zero-prefixed, other Unicode digits) is not that code: the match is exact.

Also checks the seed's codes: every illustrative code carries the letter prefix that real
RIZIV/INAMI codes (six digits) never have, and every real code names its source page."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    REPO_ROOT,
    database_path,
    nomenclature_code,
    output,
    query,
    row,
    run_dbt,
    write_extract,
)

BUILD = [
    "build",
    "--select",
    "+staging",
    "+int_claims_netted",
    "+marts.quality",
    "--indirect-selection",
    "cautious",
]
WARNING_TEST = "unclassified_nomenclature_code_share_within_threshold"

PSYCHIATRIST = nomenclature_code("psychiatrist_ambulatory")  # six digits: a real code
ELP_SESSION = nomenclature_code(
    "elp_session", elp_function="support", elp_setting="office", elp_network_type="adults"
)
# the same code in fullwidth digits (U+FF10-U+FF19), which str.isdigit() also accepts
FULLWIDTH_PSYCHIATRIST = "".join(chr(0xFF10 + int(d)) for d in PSYCHIATRIST)


def claim(claim_id: str, code: str | None, insurance: str, patient: str, **kw: Any) -> dict:
    return row(
        "claims",
        claim_id=claim_id,
        nomenclature_code=code,
        amount_insurance_eur=Decimal(insurance),
        amount_patient_eur=Decimal(patient),
        **kw,
    )


# gross amount of a line = |insurance| + |personal share|
CLAIMS = [
    # classified: 3 lines, 24 + 60 + 81 = 165 EUR
    claim("K1", nomenclature_code("other"), "20.00", "4.00"),
    claim("K2", PSYCHIATRIST, "50.00", "10.00", provider_id="P002"),
    claim("K3", ELP_SESSION, "70.00", "11.00", provider_id="P003", network_id="NA01"),
    # not classified: 7 lines, 30 + 30 + 10 + 20 + 40 + 5 + 15 = 150 EUR
    claim("U1", "999999", "25.00", "5.00"),  # a code the seed lacks
    claim("U2", "999999", "-25.00", "-5.00", quantity=-1),  # its correction weighs as much
    claim("U3", f" {PSYCHIATRIST}", "10.00", "0.00"),  # padded
    claim("U4", f"0{PSYCHIATRIST}", "20.00", "0.00"),  # zero-prefixed
    claim("U5", FULLWIDTH_PSYCHIATRIST, "40.00", "0.00"),  # fullwidth digits
    claim("U6", None, "5.00", "0.00"),  # no code
    # an earlier rule (member_id_missing) takes this line, the coverage rows still count it
    claim("U7", "888888", "15.00", "0.00", member_id=None),
]
UNCLASSIFIED_CODES = {
    "U1": "999999",
    "U2": "999999",
    "U3": f" {PSYCHIATRIST}",
    "U4": f"0{PSYCHIATRIST}",
    "U5": FULLWIDTH_PSYCHIATRIST,
    "U6": None,
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    base = tmp_path_factory.mktemp("unclassified-codes")
    raw, warehouse = base / "raw", base / "warehouse"
    write_extract(
        raw,
        {
            "members_yearly": [row("members_yearly")],
            "affiliation_periods": [row("affiliation_periods")],
            "claims": CLAIMS,
        },
    )
    # 7 of 10 claims lines are rejected: let the rejected-share gate tolerate it
    proc = run_dbt(BUILD, raw, warehouse, vars={"max_rejected_share": 1.0}, target_dir=base / "t")
    assert proc.returncode == 0, output(proc)[-6000:]
    return raw, warehouse, output(proc)


def test_coverage_rows_count_lines_and_amounts(built: tuple[Path, Path, str]) -> None:
    got = query(
        database_path(built[1]),
        "select rule, rule_kind, rows_read, rows_rejected, rejected_share, threshold, status"
        " from marts.mart_data_quality where source = 'claims' and rule_kind = 'coverage'"
        " order by rule_order",
    )
    assert got == [
        (
            "nomenclature_code_unclassified_lines",
            "coverage",
            10,
            7,
            pytest.approx(0.7),
            0.001,
            "warn",
        ),
        (
            "nomenclature_code_unclassified_amount",
            "coverage",
            10,
            7,
            pytest.approx(150 / 315),
            0.001,
            "warn",
        ),
    ]


def test_unclassified_lines_are_quarantined_with_their_code(
    built: tuple[Path, Path, str],
) -> None:
    db = database_path(built[1])
    quarantined = query(
        db,
        "select claim_id, nomenclature_code, rejection_rule from staging.quarantine_claims"
        " order by claim_id",
    )
    assert [(c, r) for c, _, r in quarantined] == [
        *((c, "nomenclature_code_unknown") for c in sorted(UNCLASSIFIED_CODES)),
        ("U7", "member_id_missing"),
    ]
    assert {c: code for c, code, _ in quarantined if c != "U7"} == UNCLASSIFIED_CODES
    assert query(
        db,
        "select rows_rejected from marts.mart_data_quality"
        " where source = 'claims' and rule = 'nomenclature_code_unknown'",
    ) == [(6,)]
    # nothing unclassified reaches the care models, under 'other' or any other care type
    assert query(
        db, "select claim_id, care_type from intermediate.int_claims_netted order by claim_id"
    ) == [("K1", "other"), ("K2", "psychiatrist_ambulatory"), ("K3", "elp_session")]


def test_share_above_threshold_warns_and_never_fails(built: tuple[Path, Path, str]) -> None:
    text = built[2]
    assert re.search(rf"WARN\S* +\S*{WARNING_TEST}", text) or re.search(
        rf"Warning in test {WARNING_TEST}", text
    ), text[-4000:]
    assert "Got 2 results, configured to warn if != 0" in text


def test_share_within_threshold_passes(built: tuple[Path, Path, str], tmp_path: Path) -> None:
    raw, warehouse, _ = built
    proc = run_dbt(
        ["build", "--select", "mart_data_quality"],
        raw,
        warehouse,
        vars={"max_rejected_share": 1.0, "max_unclassified_code_share": 0.7},
        target_dir=tmp_path / "t",
    )
    assert proc.returncode == 0, output(proc)[-4000:]
    assert f"Warning in test {WARNING_TEST}" not in output(proc)
    # 0.7 of the lines is not above 0.7; 150/315 of the amounts neither
    assert query(
        database_path(warehouse),
        "select rule, threshold, status from marts.mart_data_quality"
        " where rule_kind = 'coverage' order by rule_order",
    ) == [
        ("nomenclature_code_unclassified_lines", 0.7, "pass"),
        ("nomenclature_code_unclassified_amount", 0.7, "pass"),
    ]


def seed_rows() -> list[dict[str, str]]:
    path = REPO_ROOT / "seeds" / "codes" / "nomenclature_codes.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_illustrative_codes_cannot_be_real_codes() -> None:
    rows = seed_rows()
    illustrative = [r["nomenclature_code"] for r in rows if r["is_illustrative"] == "true"]
    real = [r for r in rows if r["is_illustrative"] == "false"]
    assert len(illustrative) + len(real) == len(rows)
    # real nomenclature codes and pseudocodes are six digits; an illustrative one starts with X
    assert [c for c in illustrative if not re.fullmatch(r"X[A-Z][0-9]{4}", c)] == []
    assert [
        r["nomenclature_code"]
        for r in real
        if not re.fullmatch(r"[0-9]{6}", r["nomenclature_code"])
    ] == []
    assert [r["nomenclature_code"] for r in real if "https://" not in r["source"]] == []
    assert [r["nomenclature_code"] for r in real if "confidence " not in r["source"]] == []
    # the ELP pseudocodes are not public: every ELP code stays illustrative
    assert [r["nomenclature_code"] for r in real if r["care_type"].startswith("elp_")] == []
