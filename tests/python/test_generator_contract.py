# ruff: noqa: E501  (SQL in strings reads better unwrapped)
"""The generator writes exactly the source contract, and every contract rule holds.

One small run (scale 0.004) is shared by the tests of this module.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from elp_warehouse.generator import generate
from elp_warehouse.paths import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "seeds"
EXTRACTION = date(2025, 6, 23)
DEC = pa.decimal128(12, 2)
# the contract's columns and types (VARCHAR -> string, SMALLINT -> int16, DATE -> date32,
# BOOLEAN -> bool, DECIMAL(12,2) -> decimal128(12, 2), DOUBLE -> float64)
CONTRACT: dict[str, list[tuple[str, pa.DataType]]] = {
    "members_yearly": [
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
    ],
    "affiliation_periods": [
        ("member_id", pa.string()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
    ],
    "claims": [
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
    ],
    "pharmacy_dispensings": [
        ("dispensing_id", pa.string()),
        ("member_id", pa.string()),
        ("dispensing_date", pa.date32()),
        ("booking_date", pa.date32()),
        ("atc_code", pa.string()),
        ("ddd", pa.float64()),
        ("pharmacy_type", pa.string()),
        ("amount_insurance_eur", DEC),
    ],
    "complementary_refunds": [
        ("refund_id", pa.string()),
        ("member_id", pa.string()),
        ("service_date", pa.date32()),
        ("booking_date", pa.date32()),
        ("benefit_code", pa.string()),
        ("sessions", pa.int16()),
        ("amount_eur", DEC),
    ],
}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gen")
    generate(root / "raw", scale=0.004, seed=11, truth_dir=root / "truth", progress=False)
    return root


@pytest.fixture(scope="module")
def con(run: Path) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    for table in CONTRACT:
        c.execute(
            f"create view {table} as select * from read_parquet('{run}/raw/{table}/*.parquet')"
        )
    for seed in ("nomenclature_codes", "insurability_codes", "atc_classes", "mh_networks"):
        c.execute(
            f"create view {seed} as select * from read_csv('{SEEDS}/codes/{seed}.csv', all_varchar=true)"
        )
    c.execute(
        f"create view arrondissements as select * from read_csv('{SEEDS}/reference/arrondissements.csv', all_varchar=true)"
    )
    return c


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    return con.execute(sql).fetchall()[0][0]


@pytest.mark.parametrize("table", list(CONTRACT))
def test_exact_columns_and_types(run: Path, table: str) -> None:
    parts = sorted((run / "raw" / table).glob("part-*.parquet"))
    assert parts, f"no part file for {table}"
    for part in parts:
        schema = pq.read_schema(part)
        assert [(f.name, f.type) for f in schema] == CONTRACT[table], part


def test_member_ids_are_not_national_register_numbers(con: duckdb.DuckDBPyConnection) -> None:
    for table in CONTRACT:
        bad = scalar(
            con, f"select count(*) from {table} where regexp_full_match(member_id, '[0-9]{{11}}')"
        )
        assert bad == 0
    sample = [r[0] for r in con.execute("select member_id from members_yearly limit 50").fetchall()]
    assert all(re.fullmatch(r"M[0-9A-Z]{8}", m) for m in sample)


def test_members_yearly_rules(con: duckdb.DuckDBPyConnection) -> None:
    assert (
        scalar(con, "select count(*) from members_yearly where member_id is null or year is null")
        == 0
    )
    assert (
        scalar(con, "select count(*) - count(distinct (member_id, year)) from members_yearly") == 0
    )
    assert (
        scalar(
            con, "select count(*) from members_yearly where birth_year < 1890 or birth_year > year"
        )
        == 0
    )
    assert scalar(con, "select count(*) from members_yearly where sex not in ('F', 'M')") == 0
    assert (
        scalar(
            con, "select count(*) from members_yearly where affiliated_days not between 1 and 366"
        )
        == 0
    )
    days = "unemployment_days < 0 or primary_incapacity_days < 0 or invalidity_days < 0"
    assert scalar(con, f"select count(*) from members_yearly where {days}") == 0
    # NIS code: 5 digits, first two = an arrondissement valid that year
    bad_nis = """
        select count(*) from members_yearly m
        where not regexp_full_match(nis_municipality, '[0-9]{5}')
           or not exists (
                select 1 from arrondissements a
                where a.arrondissement_nis = left(m.nis_municipality, 2)
                  and m.year between cast(a.valid_from_year as int) and cast(a.valid_to_year as int))
    """
    assert scalar(con, bad_nis) == 0
    unknown = """select count(*) from members_yearly where insurability_code is not null
                 and insurability_code not in (select insurability_code from insurability_codes)"""
    assert scalar(con, unknown) == 0
    assert scalar(con, "select count(*) from members_yearly where insurability_code is null") > 0


def test_affiliation_spells(con: duckdb.DuckDBPyConnection) -> None:
    assert scalar(con, "select count(*) from affiliation_periods where start_date is null") == 0
    assert scalar(con, "select count(*) from affiliation_periods where end_date < start_date") == 0
    overlap_or_touch = """
        select count(*) from (
            select start_date,
                   row_number() over w as k,
                   coalesce(lag(end_date) over w, date '9999-12-31') as prev_end
            from affiliation_periods
            window w as (partition by member_id order by start_date))
        where k > 1 and prev_end >= start_date - interval 1 day
    """
    assert scalar(con, overlap_or_touch) == 0
    # some members have two spells, some are still affiliated, some left
    assert (
        scalar(
            con,
            "select count(*) from (select member_id from affiliation_periods group by 1 having count(*) > 1)",
        )
        > 0
    )
    assert scalar(con, "select count(*) from affiliation_periods where end_date is null") > 0
    assert scalar(con, "select count(*) from affiliation_periods where end_date is not null") > 0
    # affiliated_days agrees with the spells
    days = """
        with y as (select distinct year from members_yearly),
        d as (
            select p.member_id, y.year,
                   sum(greatest(0, date_diff('day',
                        greatest(p.start_date, make_date(y.year, 1, 1)),
                        least(coalesce(p.end_date, date '2099-01-01'), make_date(y.year, 12, 31))) + 1)) as days
            from affiliation_periods p cross join y group by 1, 2)
        select count(*) from members_yearly m join d using (member_id, year) where d.days <> m.affiliated_days
    """
    assert scalar(con, days) == 0


def test_claims_rules(con: duckdb.DuckDBPyConnection) -> None:
    assert scalar(con, "select count(*) - count(distinct claim_id) from claims") == 0
    assert (
        scalar(con, "select count(*) from claims where claim_id is null or member_id is null") == 0
    )
    assert scalar(con, "select count(*) from claims where booking_date < service_date") == 0
    assert scalar(con, f"select count(*) from claims where booking_date > date '{EXTRACTION}'") == 0
    codes = "select count(*) from claims where nomenclature_code not in (select nomenclature_code from nomenclature_codes)"
    assert scalar(con, codes) == 0
    orphans = (
        "select count(*) from claims where member_id not in (select member_id from members_yearly)"
    )
    assert scalar(con, orphans) == 0
    # network_id exactly on ELP lines, of the code's network type (or the mixed network)
    net = """
        select count(*) from claims c join nomenclature_codes n using (nomenclature_code)
        left join mh_networks w on w.network_id = c.network_id
        where (n.care_type like 'elp%') <> (c.network_id is not null)
           or (c.network_id is not null and w.network_type not in (n.elp_network_type, 'mixed'))
    """
    assert scalar(con, net) == 0


def test_corrections_cancel_an_earlier_line(con: duckdb.DuckDBPyConnection) -> None:
    negatives = scalar(con, "select count(*) from claims where quantity < 0")
    total = scalar(con, "select count(*) from claims")
    assert isinstance(negatives, int) and isinstance(total, int)
    assert 0.005 < negatives / total < 0.03
    unmatched = """
        select count(*) from claims n where n.quantity < 0 and not exists (
            select 1 from claims p
            where p.member_id = n.member_id and p.nomenclature_code = n.nomenclature_code
              and p.service_date = n.service_date and p.provider_id is not distinct from n.provider_id
              and p.quantity = -n.quantity and p.amount_insurance_eur = -n.amount_insurance_eur
              and p.booking_date < n.booking_date)
    """
    assert scalar(con, unmatched) == 0
    assert (
        scalar(con, "select count(*) from claims where quantity < 0 and amount_insurance_eur > 0")
        == 0
    )
    assert scalar(con, "select count(*) from pharmacy_dispensings where ddd < 0") > 0


def test_elp_amounts_follow_the_convention(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        """
        select n.elp_setting, c.amount_insurance_eur + c.amount_patient_eur as fee, c.amount_patient_eur
        from claims c join nomenclature_codes n using (nomenclature_code)
        where n.care_type = 'elp_session' and c.quantity > 0
        """
    ).fetchall()
    assert rows
    for setting, fee, share in rows:
        if setting == "group":
            assert float(share) in (0.0, 2.5)
        else:
            assert float(fee) == 75.0
            assert float(share) in (0.0, 4.0, 11.0)
    services = """select count(*) filter (where n.care_type = 'elp_trajectory_service') / count(*)
                  from claims c join nomenclature_codes n using (nomenclature_code) where n.care_type like 'elp%'"""
    share_ts = scalar(con, services)
    assert isinstance(share_ts, float) and 0.03 < share_ts < 0.12
    assert scalar(con, "select count(*) from claims where service_date > date '2024-12-31'") > 0


def test_dispensings_and_refunds_are_booked_after_they_happen(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """Every line is booked on or after its own date and by the extraction date, mostly weeks
    later; a dispensing correction is booked after the line it cancels."""
    for table, dated in [
        ("pharmacy_dispensings", "dispensing_date"),
        ("complementary_refunds", "service_date"),
    ]:
        broken = f"""select count(*) from {table} where booking_date is null
                     or booking_date < {dated} or booking_date > date '2025-06-23'"""
        assert scalar(con, broken) == 0
        lag = scalar(con, f"select cast(median(booking_date - {dated}) as double) from {table}")
        assert isinstance(lag, float) and 7 <= lag <= 60
    unmatched = """
        select count(*) from pharmacy_dispensings n where n.ddd < 0 and not exists (
            select 1 from pharmacy_dispensings p
            where p.member_id = n.member_id and p.dispensing_date = n.dispensing_date
              and p.atc_code = n.atc_code and p.ddd = -n.ddd and p.booking_date < n.booking_date)
    """
    assert scalar(con, unmatched) == 0


def test_pharmacy_and_refund_rules(con: duckdb.DuckDBPyConnection) -> None:
    assert (
        scalar(con, "select count(*) - count(distinct dispensing_id) from pharmacy_dispensings")
        == 0
    )
    assert (
        scalar(
            con,
            "select count(*) from pharmacy_dispensings where pharmacy_type not in ('public', 'hospital')",
        )
        == 0
    )
    atc = """select count(*) from pharmacy_dispensings
             where left(atc_code, 4) not in (select atc_prefix from atc_classes) or length(atc_code) <> 7"""
    assert scalar(con, atc) == 0
    assert (
        scalar(con, "select count(*) - count(distinct refund_id) from complementary_refunds") == 0
    )
    assert scalar(con, "select count(*) from complementary_refunds where sessions <= 0") == 0
    assert scalar(con, "select count(distinct benefit_code) from complementary_refunds") > 1


def test_truth_population_follows_the_ima_seed(run: Path) -> None:
    truth = duckdb.connect()
    diff = truth.execute(
        f"""
        with t as (select year, province_code, sum(population) as n
                   from read_parquet('{run}/truth/population.parquet') group by 1, 2),
        s as (select year, province_code, sum(population) * 0.004 as n
              from read_csv('{SEEDS}/population/ima_population.csv') group by 1, 2)
        select max(abs(t.n / s.n - 1)) from t join s using (year, province_code)
        """
    ).fetchall()[0][0]
    assert diff < 0.02
    for name in (
        "population",
        "usage",
        "sessions",
        "services",
        "prior_care",
        "transitions",
        "patterns",
    ):
        assert (run / "truth" / f"{name}.parquet").exists()
    assert (run / "truth" / "manifest.json").exists()
