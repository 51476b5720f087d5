"""Staging on a small hand-written extract: exact outputs computed by hand.

Covers province mapping (incl. the 2019 arrondissement change 54 -> 57/58), ages, insurability
mapping, touching affiliation spells merged, claims netting (full and partial corrections,
institution lines without provider), dispensing netting and ATC classes, AV refunds.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
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


def eur(value: str) -> Decimal:
    return Decimal(value)


# codes of seed nomenclature_codes
TREATMENT = nomenclature_code(
    "elp_session", elp_function="treatment", elp_setting="office", elp_network_type="adults"
)
CHILD_GROUP = nomenclature_code(
    "elp_session",
    elp_function="treatment",
    elp_setting="group",
    elp_network_type="children_adolescents",
)
ACUTE = nomenclature_code("acute_psychiatric")
PSYCHIATRIST = nomenclature_code("psychiatrist_ambulatory")


# staging, the corrections netting and the quality mart
BUILD = [
    "build",
    "--select",
    "+staging",
    "+int_claims_netted",
    "+int_pharmacy_dispensings_netted",
    "+int_affiliation_spells",
    "+marts.quality",
    "--indirect-selection",
    "cautious",
]


def member(member_id: str, year: int, birth_year: int, sex: str, nis: str, **kw: Any) -> dict:
    return row(
        "members_yearly",
        member_id=member_id,
        year=year,
        birth_year=birth_year,
        sex=sex,
        nis_municipality=nis,
        **kw,
    )


def spell(member_id: str, start: date, end: date | None) -> dict:
    return row("affiliation_periods", member_id=member_id, start_date=start, end_date=end)


def claim(
    claim_id: str,
    member_id: str,
    provider: str | None,
    service: date,
    booked: date,
    code: str,
    qty: int,
    ins: str,
    pat: str,
    network: str | None = None,
) -> dict:
    return row(
        "claims",
        claim_id=claim_id,
        member_id=member_id,
        provider_id=provider,
        service_date=service,
        booking_date=booked,
        nomenclature_code=code,
        quantity=qty,
        amount_insurance_eur=eur(ins),
        amount_patient_eur=eur(pat),
        network_id=network,
    )


def dispensing(
    did: str, member_id: str, day: date, atc: str, ddd: float, ptype: str, amount: str
) -> dict:
    return row(
        "pharmacy_dispensings",
        dispensing_id=did,
        member_id=member_id,
        dispensing_date=day,
        atc_code=atc,
        ddd=ddd,
        pharmacy_type=ptype,
        amount_insurance_eur=eur(amount),
    )


def refund(rid: str, member_id: str, day: date, code: str, sessions: int, amount: str) -> dict:
    return row(
        "complementary_refunds",
        refund_id=rid,
        member_id=member_id,
        service_date=day,
        benefit_code=code,
        sessions=sessions,
        amount_eur=eur(amount),
    )


# fmt: off
EXTRACT = {
    "members_yearly": [
        member("M001", 2022, 1980, "F", "11002", insurability_code="E10"),  # Antwerpen
        member("M001", 2023, 1980, "F", "21004", insurability_code="E10"),  # moved to Brussels
        member("M002", 2023, 2010, "M", "57081", vt=True, insurability_code="K20",
               placed_child=True),  # Tournai-Mouscron, Hainaut
        member("M003", 2018, 1950, "M", "54007", insurability_code=None),  # arr. 54 until 2018
        member("M003", 2019, 1950, "M", "58001", insurability_code=None,  # arr. 58 from 2019
               affiliated_days=200),
        member("M004", 2023, 1990, "F", "44021", insurability_code="ZZZ",  # not in the seed
               unemployment_days=30, social_assistance=True),
    ],
    "affiliation_periods": [
        spell("M001", date(2010, 1, 1), date(2015, 12, 31)),
        spell("M001", date(2016, 1, 1), date(2020, 6, 30)),  # touches the previous one
        spell("M001", date(2021, 1, 1), None),  # after a gap, open
        spell("M002", date(2010, 5, 1), date(2012, 12, 31)),
        spell("M002", date(2013, 1, 1), None),  # touching an open spell: merged, open
        spell("M003", date(2018, 1, 1), date(2019, 12, 31)),
        spell("M004", date(2021, 1, 1), date(2021, 12, 31)),  # three touching spells,
        spell("M004", date(2020, 1, 1), date(2020, 12, 31)),  # delivered out of order
        spell("M004", date(2022, 1, 1), date(2022, 6, 30)),
        spell("M004", date(2022, 7, 2), None),  # one-day gap: a new spell
    ],
    "claims": [
        # fully cancelled: an ELP session and its correction
        claim("C1", "M001", "P1", date(2023, 2, 1), date(2023, 2, 10), TREATMENT, 1,
              "70.00", "11.00", "NA01"),
        claim("C2", "M001", "P1", date(2023, 2, 1), date(2023, 3, 1), TREATMENT, -1,
              "-70.00", "-11.00", "NA01"),
        # partial correction: 2 units, 1 cancelled
        claim("C3", "M001", "P1", date(2023, 2, 8), date(2023, 2, 20), TREATMENT, 2,
              "140.00", "22.00", "NA01"),
        claim("C4", "M001", "P1", date(2023, 2, 8), date(2023, 4, 1), TREATMENT, -1,
              "-70.00", "-11.00", "NA01"),
        # institution: no provider
        claim("C5", "M002", None, date(2023, 5, 10), date(2023, 6, 1), ACUTE, 3,
              "900.00", "0.00"),
        # two positive lines of one group: the earliest booked gives the claim_id
        claim("C6", "M004", "P2", date(2023, 7, 1), date(2023, 7, 5), PSYCHIATRIST, 1,
              "50.00", "10.00"),
        claim("C7", "M004", "P2", date(2023, 7, 1), date(2023, 7, 3), PSYCHIATRIST, 1,
              "50.00", "10.00"),
        # children's group session
        claim("C8", "M002", "P3", date(2023, 9, 1), date(2023, 9, 3), CHILD_GROUP, 1,
              "30.00", "0.00", "NC01"),
    ],
    "pharmacy_dispensings": [
        dispensing("D1", "M001", date(2023, 4, 1), "N06AB06", 28.0, "public", "12.50"),
        dispensing("D2", "M001", date(2023, 4, 1), "N06AB06", -28.0, "public", "-12.50"),
        dispensing("D3", "M002", date(2023, 5, 1), "N05AH04", 30.0, "hospital", "40.00"),
        dispensing("D4", "M002", date(2023, 5, 1), "N05AH04", -10.0, "hospital", "-13.33"),
        dispensing("D5", "M004", date(2023, 6, 1), "C09AA05", 30.0, "public", "5.00"),
    ],
    "complementary_refunds": [
        refund("R1", "M001", date(2023, 3, 1), "PSY", 1, "20.00"),
        refund("R2", "M001", date(2023, 4, 1), "DIET", 2, "15.00"),
        refund("R3", "M004", date(2023, 5, 1), "PSY", 3, "60.00"),
    ],
}
# fmt: on


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("handwritten")
    raw, warehouse = base / "raw", base / "warehouse"
    write_extract(raw, EXTRACT)
    proc = run_dbt(BUILD, raw, warehouse, target_dir=base / "target")
    assert proc.returncode == 0, output(proc)[-6000:]
    return database_path(warehouse)


def test_members_yearly(built: Path) -> None:
    got = query(
        built,
        """
        select member_id, year, age, sex, arrondissement_nis, province_code, region, vt,
            insurability_code, socio_professional, insurability_specific_category,
            affiliated_days, unemployment_days, social_assistance, placed_child
        from staging.stg_members_yearly order by member_id, year
        """,
    )
    # fmt: off
    assert got == [
        ("M001", 2022, 42, "F", "11", "BE-VAN", "flanders", False, "E10", "employee", None,
         365, 0, False, False),
        ("M001", 2023, 43, "F", "21", "BE-BRU", "brussels", False, "E10", "employee", None,
         365, 0, False, False),
        ("M002", 2023, 13, "M", "57", "BE-WHT", "wallonia", True, "K20", None, "placed_child",
         365, 0, False, True),
        ("M003", 2018, 68, "M", "54", "BE-WHT", "wallonia", False, None, None, None,
         365, 0, False, False),
        ("M003", 2019, 69, "M", "58", "BE-WHT", "wallonia", False, None, None, None,
         200, 0, False, False),
        ("M004", 2023, 33, "F", "44", "BE-VOV", "flanders", False, "ZZZ", None, None,
         365, 30, True, False),
    ]
    # fmt: on


def test_affiliation_spells_merged(built: Path) -> None:
    got = query(
        built,
        "select member_id, start_date, end_date, end_date_effective"
        " from intermediate.int_affiliation_spells order by member_id, start_date",
    )
    extraction = date(2025, 6, 23)
    assert got == [
        ("M001", date(2010, 1, 1), date(2020, 6, 30), date(2020, 6, 30)),
        ("M001", date(2021, 1, 1), None, extraction),
        ("M002", date(2010, 5, 1), None, extraction),
        ("M003", date(2018, 1, 1), date(2019, 12, 31), date(2019, 12, 31)),
        ("M004", date(2020, 1, 1), date(2022, 6, 30), date(2022, 6, 30)),
        ("M004", date(2022, 7, 2), None, extraction),
    ]


def test_claims_netted(built: Path) -> None:
    got = query(
        built,
        """
        select claim_id, member_id, provider_id, service_date, first_booking_date,
            nomenclature_code, quantity, amount_insurance_eur, amount_patient_eur, network_id,
            care_type, elp_function, elp_setting, elp_network_type, counts_as_session
        from intermediate.int_claims_netted order by claim_id
        """,
    )
    # fmt: off
    assert got == [
        ("C3", "M001", "P1", date(2023, 2, 8), date(2023, 2, 20), TREATMENT, 1, eur("70.00"),
         eur("11.00"), "NA01", "elp_session", "treatment", "office", "adults", True),
        ("C5", "M002", None, date(2023, 5, 10), date(2023, 6, 1), ACUTE, 3, eur("900.00"),
         eur("0.00"), None, "acute_psychiatric", None, None, None, False),
        ("C7", "M004", "P2", date(2023, 7, 1), date(2023, 7, 3), PSYCHIATRIST, 2, eur("100.00"),
         eur("20.00"), None, "psychiatrist_ambulatory", None, None, None, False),
        ("C8", "M002", "P3", date(2023, 9, 1), date(2023, 9, 3), CHILD_GROUP, 1, eur("30.00"),
         eur("0.00"), "NC01", "elp_session", "treatment", "group", "children_adolescents", True),
    ]
    # fmt: on


def test_dispensings_netted(built: Path) -> None:
    got = query(
        built,
        """
        select dispensing_id, member_id, dispensing_date, atc_code, atc_class, pharmacy_type,
            ddd, amount_insurance_eur
        from intermediate.int_pharmacy_dispensings_netted order by dispensing_id
        """,
    )
    assert got == [
        (
            "D3",
            "M002",
            date(2023, 5, 1),
            "N05AH04",
            "antipsychotic",
            "hospital",
            20.0,
            eur("26.67"),
        ),
        ("D5", "M004", date(2023, 6, 1), "C09AA05", None, "public", 30.0, eur("5.00")),
    ]


def test_refunds(built: Path) -> None:
    got = query(
        built,
        "select refund_id, member_id, benefit_code, sessions, amount_eur,"
        " is_psychologist_session from staging.stg_complementary_refunds order by refund_id",
    )
    assert got == [
        ("R1", "M001", "PSY", 1, eur("20.00"), True),
        ("R2", "M001", "DIET", 2, eur("15.00"), False),
        ("R3", "M004", "PSY", 3, eur("60.00"), True),
    ]


def test_data_quality_all_pass(built: Path) -> None:
    totals = query(
        built,
        "select source, rows_read, rows_rejected, status from marts.mart_data_quality"
        " where rule = 'all_rules' order by source",
    )
    assert totals == [
        ("affiliation_periods", 10, 0, "pass"),
        ("claims", 8, 0, "pass"),
        ("complementary_refunds", 3, 0, "pass"),
        ("members_yearly", 6, 0, "pass"),
        ("pharmacy_dispensings", 5, 0, "pass"),
    ]
    cancelled = query(
        built,
        "select source, rows_rejected, rule_kind, status from marts.mart_data_quality"
        " where rule = 'corrections_cancelled' order by source",
    )
    assert cancelled == [
        ("claims", 2, "information", "pass"),
        ("pharmacy_dispensings", 2, "information", "pass"),
    ]
    assert query(
        built,
        "select count(*) from marts.mart_data_quality where rows_rejected > 0"
        " and rule_kind <> 'information'",
    ) == [(0,)]
    quarantined = sum(
        query(built, f"select count(*) from staging.quarantine_{t}")[0][0]
        for t in [
            "members_yearly",
            "affiliation_periods",
            "claims",
            "pharmacy_dispensings",
            "complementary_refunds",
        ]
    )
    assert quarantined == 0


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_ima_population_read_from_file(
    tmp_path: Path, reused_warehouse_dir: Path, dbt_target_dir: Path, suffix: str
) -> None:
    """var ima_population_path replaces the seed by a CSV or Parquet file with its columns."""
    table = pa.table(
        {
            "year": [2023, 2023],
            "age_band": [30, 90],
            "sex": ["F", "M"],
            "province_code": ["BE-VAN", "BE-BRU"],
            "vt": [False, True],
            "population": [1000, 25],
        }
    )
    path = tmp_path / f"ima.{suffix}"
    if suffix == "csv":
        pacsv.write_csv(table, path)
    else:
        pq.write_table(table, path)
    proc = run_dbt(
        ["run", "--select", "stg_ima_population"],
        tmp_path / "no-extract",  # reads no raw table: the preflight is skipped
        reused_warehouse_dir,
        vars={"ima_population_path": str(path)},
        target_dir=dbt_target_dir,
    )
    assert proc.returncode == 0, output(proc)[-4000:]
    got = query(
        database_path(reused_warehouse_dir),
        "select * from staging.stg_ima_population order by age_band",
    )
    assert got == [(2023, 30, "F", "BE-VAN", False, 1000), (2023, 90, "M", "BE-BRU", True, 25)]
