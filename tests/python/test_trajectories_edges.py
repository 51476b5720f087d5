"""ELP trajectories on a tiny hand-written extract, one member per edge case, built through
staging (so corrections are netted as in production). Expected values computed by hand.

Edges: a session exactly 12 months after the start, a correction cancelling a session (and
one cancelling the first session), a second trajectory after a long gap and none after a
short one, a member who leaves mid-window, a first session on the inclusion cut-off date and
the day before, trajectory services that neither start nor count, prior care with the
psychiatrist winning."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    database_path,
    nomenclature_code,
    output,
    query,
    row,
    run_dbt,
    write_extract,
)


def adult_elp_code(care_type: str, function: str, setting: str) -> str:
    return nomenclature_code(
        care_type, elp_function=function, elp_setting=setting, elp_network_type="adults"
    )


SUPPORT = adult_elp_code("elp_session", "support", "office")
TREATMENT = adult_elp_code("elp_session", "treatment", "office")
GROUP = adult_elp_code("elp_session", "support", "group")
TRAJECTORY_SERVICE = adult_elp_code("elp_trajectory_service", "other", "trajectory_services")
PSYCHIATRIST = nomenclature_code("psychiatrist_ambulatory")

_claim_counter = iter(range(1, 10_000))


def claim(
    member_id: str, day: date, code: str = SUPPORT, qty: int = 1, **kw: Any
) -> dict[str, Any]:
    booked = kw.pop("booked", day)
    return row(
        "claims",
        claim_id=f"C{next(_claim_counter):05d}",
        member_id=member_id,
        provider_id="P001",
        service_date=day,
        booking_date=booked,
        nomenclature_code=code,
        quantity=qty,
        amount_insurance_eur=Decimal("64.00") * qty,
        amount_patient_eur=Decimal("11.00") * qty,
        network_id=None if code == PSYCHIATRIST else "NA01",
        **kw,
    )


def member_years(member_id: str, years: range, **kw: Any) -> list[dict[str, Any]]:
    return [row("members_yearly", member_id=member_id, year=y, **kw) for y in years]


YEARS = range(2019, 2025)
MEMBERS = [f"M{i:02d}" for i in range(1, 13)]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("trajectory_edges")
    claims = [
        # M01: sessions on 10 March 2022, 10 May 2022 and exactly 12 months later
        claim("M01", date(2022, 3, 10)),
        claim("M01", date(2022, 5, 10), TREATMENT),
        claim("M01", date(2023, 3, 10)),
        # M02: the session of 15 April is cancelled by a correction booked later
        claim("M02", date(2022, 4, 1)),
        claim("M02", date(2022, 4, 15)),
        claim("M02", date(2022, 4, 15), qty=-1, booked=date(2022, 6, 1)),
        claim("M02", date(2022, 5, 1)),
        # M03: the first session is cancelled: the trajectory starts at the next one
        claim("M03", date(2022, 2, 1)),
        claim("M03", date(2022, 2, 1), qty=-1, booked=date(2022, 3, 20)),
        claim("M03", date(2022, 3, 1), GROUP),
        claim("M03", date(2022, 3, 15)),
        # M04: two trajectories, 15 months without a session in between
        claim("M04", date(2021, 1, 10)),
        claim("M04", date(2021, 2, 10)),
        claim("M04", date(2022, 6, 1)),
        claim("M04", date(2022, 7, 1), TREATMENT),
        # M05: a gap of 10.5 months is not a new trajectory
        claim("M05", date(2021, 1, 10)),
        claim("M05", date(2021, 12, 20)),
        claim("M05", date(2022, 11, 1)),
        # M06: leaves the mutuality on 30 June 2022, mid-window
        claim("M06", date(2022, 3, 1)),
        claim("M06", date(2022, 4, 1)),
        # M07: first session on 31 March 2024 (excluded), M08 the day before (included)
        claim("M07", date(2024, 3, 31)),
        claim("M08", date(2024, 3, 30)),
        claim("M08", date(2024, 4, 30)),
        # M09: a trajectory service before the first session neither starts nor counts
        claim("M09", date(2022, 1, 5), TRAJECTORY_SERVICE),
        claim("M09", date(2022, 2, 1)),
        claim("M09", date(2022, 2, 20), TRAJECTORY_SERVICE),
        # M10: psychiatrist and antidepressant before: psychiatrist wins; ELP again after
        claim("M10", date(2021, 5, 1), PSYCHIATRIST),
        claim("M10", date(2023, 2, 1)),
        claim("M10", date(2024, 3, 1)),
        # M11: antidepressant only before; psychiatrist during
        claim("M11", date(2023, 3, 1)),
        claim("M11", date(2023, 9, 1), PSYCHIATRIST),
        # M12: nothing before; first session 16 December 2023 (outside the 2023 transitions
        # cohort, which ends on 15 December)
        claim("M12", date(2023, 12, 16)),
    ]
    dispensings = [
        row(
            "pharmacy_dispensings",
            dispensing_id="D1",
            member_id="M10",
            dispensing_date=date(2021, 6, 1),
        ),
        row(
            "pharmacy_dispensings",
            dispensing_id="D2",
            member_id="M11",
            dispensing_date=date(2022, 1, 1),
        ),
    ]
    spells = [
        row("affiliation_periods", member_id=m, start_date=date(2010, 1, 1), end_date=None)
        for m in MEMBERS
        if m != "M06"
    ] + [
        row(
            "affiliation_periods",
            member_id="M06",
            start_date=date(2010, 1, 1),
            end_date=date(2022, 6, 30),
        )
    ]
    members: list[dict[str, Any]] = []
    for m in MEMBERS:
        if m == "M06":
            members += member_years(m, range(2019, 2022))
            members += member_years(m, range(2022, 2023), affiliated_days=181)
        else:
            members += member_years(m, YEARS)
    write_extract(
        base / "raw",
        {
            "members_yearly": members,
            "affiliation_periods": spells,
            "claims": claims,
            "pharmacy_dispensings": dispensings,
        },
    )
    proc = run_dbt(
        [
            *("build", "--select", "+int_elp_trajectory_care", "+mart_elp_sessions_per_patient"),
            *("--exclude", "test_type:data"),
        ],
        base / "raw",
        base / "warehouse",
    )
    assert proc.returncode == 0, output(proc)[-6000:]
    return database_path(base / "warehouse")


def trajectories(db: Path) -> dict[tuple[str, int], dict[str, Any]]:
    cols = [
        "member_id", "trajectory_number", "cohort_year", "first_session_date", "sessions_12m",
        "sessions_total", "function_12m", "first_setting", "is_window_observed",
        "is_affiliated_window",
    ]  # fmt: skip
    got = query(db, f"select {', '.join(cols)} from intermediate.int_elp_trajectories")
    return {(r[0], r[1]): dict(zip(cols, r, strict=True)) for r in got}


def test_session_exactly_12_months_later_is_outside_the_window(built: Path) -> None:
    t = trajectories(built)
    assert ("M01", 2) not in t  # and does not open a new trajectory either
    m01 = t["M01", 1]
    assert m01["first_session_date"] == date(2022, 3, 10)
    assert (m01["sessions_12m"], m01["sessions_total"], m01["function_12m"]) == (2, 3, "both")


def test_corrections_cancel_sessions(built: Path) -> None:
    t = trajectories(built)
    assert t["M02", 1]["sessions_12m"] == 2
    m03 = t["M03", 1]
    assert m03["first_session_date"] == date(2022, 3, 1)
    assert (m03["sessions_12m"], m03["first_setting"]) == (2, "group")


def test_second_trajectory_only_after_a_gap_of_12_months(built: Path) -> None:
    t = trajectories(built)
    assert t["M04", 1]["cohort_year"] == 2021 and t["M04", 1]["sessions_12m"] == 2
    assert t["M04", 2]["cohort_year"] == 2022 and t["M04", 2]["sessions_12m"] == 2
    assert t["M04", 2]["function_12m"] == "both"
    assert ("M05", 2) not in t
    assert (t["M05", 1]["sessions_12m"], t["M05", 1]["sessions_total"]) == (2, 3)


def test_member_leaving_mid_window_is_flagged(built: Path) -> None:
    t = trajectories(built)
    assert not t["M06", 1]["is_affiliated_window"]
    assert t["M06", 1]["is_window_observed"]
    assert t["M01", 1]["is_affiliated_window"]


def test_first_session_on_the_cutoff_date(built: Path) -> None:
    t = trajectories(built)
    assert not t["M07", 1]["is_window_observed"]  # 31 March 2024: excluded
    assert t["M08", 1]["is_window_observed"]  # 30 March 2024: included
    assert t["M08", 1]["sessions_12m"] == 2


def test_trajectory_services_neither_start_nor_count(built: Path) -> None:
    m09 = trajectories(built)["M09", 1]
    assert (m09["first_session_date"], m09["sessions_12m"]) == (date(2022, 2, 1), 1)


def test_prior_care_categories(built: Path) -> None:
    got = dict(
        query(
            built,
            "select member_id, care_category_before from intermediate.int_elp_trajectory_care"
            " where trajectory_number = 1",
        )
    )
    assert got["M10"] == "psychiatrist"
    assert got["M11"] == "psychotropics_only"
    assert got["M12"] == "none"
    flags = query(
        built,
        "select member_id, has_elp_after, has_psychiatrist_during, care_category_during"
        " from intermediate.int_elp_trajectory_care where member_id in ('M10', 'M11')"
        " and trajectory_number = 1"
        " order by member_id",
    )
    assert flags == [("M10", True, False, "none"), ("M11", False, True, "psychiatrist")]


def test_session_cohort_counts(built: Path) -> None:
    """2022 cohort: M01, M02, M03, M04 (2nd trajectory), M09; M06 left mid-window.
    2024 cohort: M08 and M10's second trajectory (13 months after its first session); M07
    starts on the cut-off date."""
    got = dict(
        query(
            built,
            "select cohort_year, patients_observed from marts.mart_elp_sessions_per_patient"
            " where dimension = 'total'",
        )
    )
    assert got[2022] == 5
    assert got[2024] == 2
    means = dict(
        query(
            built,
            "select cohort_year, mean_sessions_unweighted from marts.mart_elp_sessions_per_patient"
            " where dimension = 'total'",
        )
    )
    assert means[2022] == pytest.approx((2 + 2 + 2 + 2 + 1) / 5)
