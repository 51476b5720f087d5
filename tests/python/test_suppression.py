"""Small-cell suppression on hand-made marts: primary and complementary suppression, exact
expected cells, and the declaration checks (identifiers, unclassified columns, missing marts).

No dbt run: a tiny working database and a minimal manifest are written by the test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from elp_warehouse.publish import PublishError, publish


def _manifest(path: Path, tables: dict[str, list[str]]) -> Path:
    nodes = {
        f"model.elp_warehouse.{name}": {
            "name": name,
            "resource_type": "model",
            "schema": "marts",
            "original_file_path": f"models/marts/{name}.sql",
            "description": f"test mart {name}",
            "columns": {c: {"name": c, "description": f"column {c}"} for c in cols},
            "config": {"meta": {}},
        }
        for name, cols in tables.items()
    }
    path.write_text(json.dumps({"metadata": {"dbt_version": "test"}, "nodes": nodes}))
    return path


def _setup(tmp_path: Path, ddl: list[str], decls: dict[str, Any]) -> tuple[Path, Path, Path]:
    db = tmp_path / "elp.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema marts")
    for stmt in ddl:
        con.execute(stmt)
    tables: dict[str, list[str]] = {}
    for table, col in con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' order by table_name, ordinal_position"
    ).fetchall():
        tables.setdefault(table, []).append(col)
    con.close()
    manifest = _manifest(tmp_path / "manifest.json", tables)
    decl_path = tmp_path / "published_marts.yml"
    decl_path.write_text(yaml.safe_dump({"version": 1, "marts": decls}))
    return db, manifest, decl_path


def _publish(tmp_path: Path, db: Path, manifest: Path, decls: Path, k: int = 5) -> Path:
    out = tmp_path / "out"
    publish(out, min_cell_size=k, manifest_path=manifest, declarations_path=decls, working_db=db)
    return out / "published.duckdb"


def _read(snapshot: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# year 2024, dimension age_group: one small cell (3 users) -> the next smallest (8) is
# suppressed too, so total - published siblings gives only the sum of two cells (11 >= 5).
# dimension sex: two small cells (2 + 2 = 4 < 5) -> a third one (40) joins them.
# dimension total: one cell, nothing to recompute from -> left as is (600 >= 5).
USAGE_ROWS = [
    ("total", "belgium", 600, 60000.0, 0.02),
    ("age_group", "0-19", 3, 300.0, 0.001),
    ("age_group", "20-29", 8, 800.0, 0.004),
    ("age_group", "30-44", 200, 20000.0, 0.03),
    ("age_group", "45-64", 389, 38900.0, 0.025),
    ("sex", "female", 2, 200.0, 0.01),
    ("sex", "male", 2, 200.0, 0.01),
    ("sex", "x", 40, 4000.0, 0.02),
    ("sex", "y", 556, 55600.0, 0.02),
    # provinces: one small province per region (BE-W...), one region with a single small one
    ("province", "BE-VAN", 100, 1.0, 0.1),
    ("province", "BE-VLI", 90, 1.0, 0.1),
    ("province", "BE-WLX", 4, 1.0, 0.1),
    ("province", "BE-WHT", 300, 1.0, 0.1),
    ("province", "BE-WNA", 106, 1.0, 0.1),
]

USAGE_DECL = {
    "key": ["year", "dimension", "category"],
    "suppression": [
        {
            "count_column": "users_observed",
            "value_columns": ["users_extrapolated", "usage_rate"],
            "complementary_groups": [
                ["year", "dimension"],
                [
                    "year",
                    "dimension",
                    "case when dimension = 'province' then left(category, 4) end",
                ],
            ],
        }
    ],
    "public_columns": ["label_en"],
}


def _usage_ddl() -> list[str]:
    values = ", ".join(
        f"(2024, '{d}', '{c}', {n}, {e}, {r}, '{c} label')" for d, c, n, e, r in USAGE_ROWS
    )
    return [
        "create table marts.mart_usage (year integer, dimension varchar, category varchar, "
        "users_observed bigint, users_extrapolated double, usage_rate double, label_en varchar)",
        f"insert into marts.mart_usage values {values}",
    ]


@pytest.fixture
def usage_snapshot(tmp_path: Path) -> Path:
    db, manifest, decls = _setup(tmp_path, _usage_ddl(), {"mart_usage": USAGE_DECL})
    return _publish(tmp_path, db, manifest, decls)


def test_primary_and_complementary_cells(usage_snapshot: Path) -> None:
    got = {
        (d, c): (n, e, r, s)
        for d, c, n, e, r, s in _read(
            usage_snapshot,
            "select dimension, category, users_observed, users_extrapolated, usage_rate, "
            "is_suppressed from marts.mart_usage",
        )
    }
    suppressed = {key for key, v in got.items() if v[3]}
    assert suppressed == {
        ("age_group", "0-19"),  # primary: 3 < 5
        ("age_group", "20-29"),  # complementary: the only other small sibling
        ("sex", "female"),  # primary
        ("sex", "male"),  # primary
        ("sex", "x"),  # complementary: 2 + 2 < 5 is still recomputable as a sum
        ("province", "BE-WLX"),  # primary
        ("province", "BE-VLI"),  # complementary within the dimension (smallest sibling)
        ("province", "BE-WNA"),  # complementary within Wallonia (the region total is published)
        ("province", "BE-VAN"),  # then within Flanders: BE-VLI alone would be recomputable
    }
    for key, (n, e, r, s) in got.items():
        if s:
            assert (n, e, r) == (None, None, None), key
        else:
            assert None not in (n, e, r), key
    # the label is public, never nulled
    labels = _read(usage_snapshot, "select count(label_en) from marts.mart_usage")
    assert labels == [(len(USAGE_ROWS),)]


def test_no_suppressed_cell_can_be_recomputed_from_its_siblings(usage_snapshot: Path) -> None:
    """Every sibling group with a suppressed cell has >= 2 of them, resting together on at
    least min_cell_size persons: total minus the published siblings gives no single cell."""
    original = {(d, c): n for d, c, n, _e, _r in USAGE_ROWS}
    rows = _read(usage_snapshot, "select dimension, category, is_suppressed from marts.mart_usage")
    groups: dict[str, list[tuple[str, bool]]] = {}
    for d, c, s in rows:
        groups.setdefault(d, []).append((c, s))
        if d == "province":
            groups.setdefault(f"province:{c[:4]}", []).append((c, s))
    for name, cells in groups.items():
        hidden = [c for c, s in cells if s]
        dim = name.split(":")[0]
        if hidden and len(cells) > 1:
            assert len(hidden) >= 2, name
            assert sum(original[(dim, c)] for c in hidden) >= 5, name


def test_parquet_copy_equals_the_snapshot(usage_snapshot: Path) -> None:
    parquet = usage_snapshot.parent / "published" / "mart_usage.parquet"
    con = duckdb.connect()
    a = con.execute(f"select * from '{parquet}' order by all").fetchall()
    con.close()
    assert a == _read(usage_snapshot, "select * from marts.mart_usage order by all")


def test_larger_min_cell_size_suppresses_more(tmp_path: Path) -> None:
    db, manifest, decls = _setup(tmp_path, _usage_ddl(), {"mart_usage": USAGE_DECL})
    snap = _publish(tmp_path, db, manifest, decls, k=150)
    visible = _read(snap, "select users_observed from marts.mart_usage where not is_suppressed")
    assert all(n >= 150 for (n,) in visible)
    assert _read(snap, "select min_cell_size from meta.snapshot") == [(150,)]


def test_cumulative_counts_follow_suppressed_new_users(tmp_path: Path) -> None:
    """A running total minus the previous one is a year's new users: once a year's new users
    are suppressed, the running totals from that year on are suppressed as well."""
    ddl = [
        "create table marts.mart_yearly (year integer, new_observed bigint, new_ext double, "
        "cum_observed bigint, cum_ext double)",
        "insert into marts.mart_yearly values (2019, 50, 5.0, 50, 5.0), (2020, 3, 0.3, 53, 5.3),"
        " (2021, 60, 6.0, 113, 11.3)",
    ]
    decl = {
        "key": ["year"],
        "suppression": [
            {"count_column": "new_observed", "value_columns": ["new_ext"]},
            {
                "count_column": "cum_observed",
                "count_expression": "least(cum_observed, min(new_observed) over (order by year "
                "rows between unbounded preceding and current row))",
                "value_columns": ["cum_ext"],
            },
        ],
    }
    db, manifest, decls = _setup(tmp_path, ddl, {"mart_yearly": decl})
    snap = _publish(tmp_path, db, manifest, decls)
    got = _read(snap, "select * from marts.mart_yearly order by year")
    assert got == [
        (2019, 50, 5.0, 50, 5.0, False),
        (2020, None, None, None, None, True),
        (2021, 60, 6.0, None, None, True),
    ]


def test_rows_flagged_by_the_mart_itself_are_blanked(tmp_path: Path) -> None:
    ddl = [
        "create table marts.mart_flag (k integer, n bigint, v double, is_suppressed boolean)",
        "insert into marts.mart_flag values (1, 100, 1.0, false), (2, 100, 2.0, true)",
    ]
    decl = {"key": ["k"], "suppression": {"count_column": "n", "value_columns": ["v"]}}
    db, manifest, decls = _setup(tmp_path, ddl, {"mart_flag": decl})
    snap = _publish(tmp_path, db, manifest, decls)
    assert _read(snap, "select * from marts.mart_flag order by k") == [
        (1, 100, 1.0, False),
        (2, None, None, True),
    ]


@pytest.mark.parametrize(
    ("ddl", "decl", "message"),
    [
        (
            "create table marts.mart_x (year integer, member_id varchar, n bigint)",
            {"key": ["year"], "suppression": {"count_column": "n"}, "public_columns": []},
            "unclassified",
        ),
        (
            "create table marts.mart_x (year integer, member_id varchar, n bigint)",
            {
                "key": ["year"],
                "suppression": {"count_column": "n"},
                "public_columns": ["member_id"],
            },
            "identifier columns may never be published",
        ),
        (
            "create table marts.mart_x (year integer, n bigint)",
            {"key": ["year"], "suppression": {"count_column": "n", "value_columns": ["nope"]}},
            "not in the model's YAML",
        ),
        (
            "create table marts.mart_x (year integer, n bigint)",
            {"key": ["year"], "public_columns": ["n"]},
            "no_suppression_reason",
        ),
        (
            "create table marts.mart_x (year integer, n bigint)",
            {"key": ["year"], "suppression": {"count_column": "n"}, "public_columns": ["x"]},
            "not in the model's YAML",
        ),
    ],
)
def test_bad_declarations_fail_loudly(
    tmp_path: Path, ddl: str, decl: dict[str, Any], message: str
) -> None:
    db, manifest, decls = _setup(tmp_path, [ddl], {"mart_x": decl})
    with pytest.raises(PublishError, match=message):
        _publish(tmp_path, db, manifest, decls)
    assert not (tmp_path / "out" / "published.duckdb").exists()


def test_declared_mart_missing_from_the_manifest_fails(tmp_path: Path) -> None:
    db, manifest, decls = _setup(
        tmp_path,
        ["create table marts.mart_a (year integer, n bigint)"],
        {
            "mart_a": {"key": ["year"], "suppression": {"count_column": "n"}},
            "mart_gone": {"key": ["year"], "suppression": {"count_column": "n"}},
        },
    )
    with pytest.raises(PublishError, match="no dbt model named mart_gone"):
        _publish(tmp_path, db, manifest, decls)


def test_undeclared_marts_and_unfit_drafts_are_not_published(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, manifest, decls = _setup(
        tmp_path,
        [
            "create table marts.mart_a (year integer, n bigint)",
            "create table marts.mart_undeclared (year integer, n bigint)",
            "create table marts.mart_draft (year integer, n bigint, extra double)",
        ],
        {
            "mart_a": {"key": ["year"], "suppression": {"count_column": "n"}},
            "mart_draft": {"draft": True, "key": ["year"], "suppression": {"count_column": "n"}},
        },
    )
    snap = _publish(tmp_path, db, manifest, decls)
    tables = _read(snap, "select table_schema, table_name from information_schema.tables")
    assert sorted(tables) == [
        ("marts", "mart_a"),
        ("meta", "published_marts"),
        ("meta", "snapshot"),
    ]
    err = capsys.readouterr().err
    assert "mart_undeclared is a mart_ model without a publish declaration" in err
    assert "draft declaration of mart_draft skipped" in err


def test_niss_shaped_values_are_refused(tmp_path: Path) -> None:
    db, manifest, decls = _setup(
        tmp_path,
        [
            "create table marts.mart_x (year integer, category varchar, n bigint)",
            "insert into marts.mart_x values (2024, '85.07.30-033.28', 10)",
        ],
        {
            "mart_x": {
                "key": ["year"],
                "suppression": {"count_column": "n"},
                "public_columns": ["category"],
            }
        },
    )
    with pytest.raises(PublishError, match="national register"):
        _publish(tmp_path, db, manifest, decls)


# Two marts showing the same population cells (`cell`), and weighting cells adding up to the
# published totals of another mart (`adds_up_to`): one suppression over both.
CELL = ["'users'", "year", "dimension", "category"]
CROSS_DECLS: dict[str, Any] = {
    "mart_usage": {
        **USAGE_DECL,
        "suppression": [{**USAGE_DECL["suppression"][0], "cell": CELL}],
    },
    # one province per row, with its services resting on the same users, and on its providers
    "mart_overview": {
        "key": ["year", "province_code"],
        "suppression": [
            {
                "count_column": "users_observed",
                "value_columns": ["services"],
                "cell": ["'users'", "year", "'province'", "province_code"],
            },
            {
                "count_column": "providers_seen",
                "value_columns": ["services"],
                "complementary_groups": [["year"]],
            },
        ],
    },
    # cells of members by sex and age band; each sex's members are a published usage cell
    "mart_weights": {
        "key": ["year", "sex", "band"],
        "suppression": {
            "count_column": "members",
            "adds_up_to": [
                {"total": ["'users'", "year", "'sex'", "sex"]},
                ["'group'", "year", "band"],
            ],
        },
    },
    # one age band's members: a total of a single weighting cell
    "mart_groups": {
        "key": ["year", "band"],
        "suppression": {"count_column": "group_members", "cell": ["'group'", "year", "band"]},
    },
}


def _cross_snapshot(tmp_path: Path) -> Path:
    overview = [("BE-VAN", 100, 9), ("BE-VLI", 90, 3), ("BE-WLX", 4, 7), ("BE-WHT", 300, 40)]
    # female: 3 + 9 + 30 (= 42 published in mart_usage below); male: 20 + 22
    weights = [("female", 0, 3), ("female", 20, 9), ("female", 40, 30), ("male", 0, 20)]
    weights += [("male", 20, 22)]
    ddl = [
        *_usage_ddl(),
        "update marts.mart_usage set users_observed = 42 where category = 'female'",
        "update marts.mart_usage set users_observed = 42 where category = 'male'",
        "create table marts.mart_overview (year integer, province_code varchar, "
        "users_observed bigint, providers_seen bigint, services bigint)",
        "insert into marts.mart_overview values "
        + ", ".join(f"(2024, '{p}', {u}, {n}, {10 * u})" for p, u, n in overview),
        "create table marts.mart_weights (year integer, sex varchar, band integer, members bigint)",
        "insert into marts.mart_weights values "
        + ", ".join(f"(2024, '{s}', {b}, {m})" for s, b, m in weights),
        "create table marts.mart_groups (year integer, band integer, group_members bigint)",
        "insert into marts.mart_groups values (2024, 0, 23), (2024, 20, 31), (2024, 40, 30)",
    ]
    db, manifest, decls = _setup(tmp_path, ddl, CROSS_DECLS)
    return _publish(tmp_path, db, manifest, decls)


def test_a_cell_hidden_in_one_mart_is_hidden_in_every_mart(tmp_path: Path) -> None:
    snap = _cross_snapshot(tmp_path)
    # BE-VLI is hidden in mart_usage by complementary suppression (90 users): the same users
    # are hidden in mart_overview, and so are BE-VAN (Flanders' other province) and BE-WNA
    hidden_usage = {
        c
        for (c,) in _read(
            snap,
            "select category from marts.mart_usage where dimension = 'province' and "
            "users_observed is null",
        )
    }
    assert hidden_usage == {"BE-WLX", "BE-VLI", "BE-WNA", "BE-VAN"}
    got = _read(
        snap,
        "select province_code, users_observed, providers_seen, services, is_suppressed "
        "from marts.mart_overview order by province_code",
    )
    assert got == [
        ("BE-VAN", None, 9, None, True),  # same cell as mart_usage
        ("BE-VLI", None, None, None, True),  # 3 providers: their services hidden too
        ("BE-WHT", 300, 40, 3000, False),
        ("BE-WLX", None, None, None, True),  # 7 providers: hidden with BE-VLI (3 + 7 >= 5)
    ]


def test_parts_of_a_total_published_by_another_mart_are_protected(tmp_path: Path) -> None:
    snap = _cross_snapshot(tmp_path)
    got = dict(
        ((s, b), m) for s, b, m in _read(snap, "select sex, band, members from marts.mart_weights")
    )
    # female 0 (3 members) is primary; the female total (42, mart_usage) minus the published
    # female cells would give it back, so the smallest other female cell (9) is hidden too;
    # band 0 (23 members, mart_groups) = female 3 + male 20: male 0 is hidden as well
    assert got == {
        ("female", 0): None,
        ("female", 20): None,
        ("female", 40): 30,
        ("male", 0): None,
        ("male", 20): None,  # male: 42 - 22 would give male 0 back
    }
    groups = dict(_read(snap, "select band, group_members from marts.mart_groups"))
    # with the four margins published, the four hidden cells form a 2 x 2 table (rank 3):
    # none comes back; band 40's single cell is published, and so is its total
    assert groups == {0: 23, 20: 31, 40: 30}


def test_a_total_whose_parts_are_all_published_is_hidden_with_a_part(tmp_path: Path) -> None:
    flagged = "case when flag then 0 else n end"  # the marts flag rows themselves
    ddl = [
        "create table marts.mart_parts (k integer, n bigint, flag boolean)",
        "insert into marts.mart_parts values (1, 40, false), (2, 60, false), (3, 50, true)",
        "create table marts.mart_totals (k integer, n bigint, flag boolean)",
        "insert into marts.mart_totals values (1, 100, true), (2, 50, false)",
    ]
    decls = {
        "mart_parts": {
            "key": ["k"],
            "suppression": {
                "count_column": "n",
                "count_expression": flagged,
                "adds_up_to": [["'t'", "case when k < 3 then 1 else 2 end"]],
            },
            "public_columns": ["flag"],
        },
        "mart_totals": {
            "key": ["k"],
            "suppression": {"count_column": "n", "count_expression": flagged, "cell": ["'t'", "k"]},
            "public_columns": ["flag"],
        },
    }
    db, manifest, decl_path = _setup(tmp_path, ddl, decls)
    snap = _publish(tmp_path, db, manifest, decl_path)
    assert _read(snap, "select k, n from marts.mart_parts order by k") == [
        (1, None),  # total 1 is hidden: its smaller part hides with it, 100 - 60 stays unknown
        (2, 60),
        (3, None),
    ]
    assert _read(snap, "select k, n from marts.mart_totals order by k") == [
        (1, None),
        (2, None),  # the total of part 3 alone: hidden with it (no other part to hide)
    ]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"adds_up_to": "year"}, "adds_up_to must be a list of lists"),
        ({"adds_up_to": [{"totals": ["year"]}]}, r"expected a list or \{total"),
        ({"adds_up_to": [{"siblings": ["year"]}]}, r"expected a list or \{total"),
        ({"adds_up_to": [{"total": ["year"], "siblings": "nope"}]}, "not in the model's YAML"),
        ({"adds_up_to": [[1, 2]]}, "expected a list of column names"),
        ({"cell": ["'users'", "missing_column"]}, "not in the model's YAML"),
        ({"cell": {"a": 1}}, "expected a list of column names"),
    ],
)
def test_bad_cell_and_relation_declarations_fail_loudly(
    tmp_path: Path, rule: dict[str, Any], message: str
) -> None:
    db, manifest, decls = _setup(
        tmp_path,
        ["create table marts.mart_x (year integer, n bigint)"],
        {"mart_x": {"key": ["year"], "suppression": {"count_column": "n", **rule}}},
    )
    with pytest.raises(PublishError, match=f"mart_x.*{message}"):
        _publish(tmp_path, db, manifest, decls)
    assert not (tmp_path / "out" / "published.duckdb").exists()
