"""The ready-made queries of analyses/ (docs/bi.md, "Ready-made queries (analyses/)"): one
plain-SQL file per study figure and table, written against the published snapshot.

- dbt compiles every analysis (a Jinja or parse error fails the compile), and the compiled text
  is the file itself: nothing is left for dbt to render, so a BI user pastes the file as it is;
- every file carries its header (the study's figure or table in English and Dutch, the mart it
  reads, what a row is, the filter to change) and a `params` CTE, and docs/bi.md lists it;
- every query runs on the published snapshot of the session's demo build and returns rows with
  the figure's columns;
- the same query on the unsuppressed marts of the working database (the snapshot's schema names
  recreated as views in memory) returns the same rows in the same order: the snapshot only
  nulls cells and flags them, never a different value;
- on those unsuppressed rows the figures' arithmetic holds (shares in [0, 1] and inside their
  interval, exclusive parts adding up to their total, the same figure read twice agreeing), so a
  query that filters, joins or pivots the wrong rows fails.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import output, run_dbt
from publish_support import Built, built_warehouse

ROOT = Path(__file__).resolve().parents[2]
ANALYSES = ROOT / "analyses"
BI_DOC = ROOT / "docs" / "bi.md"
FILES = sorted(ANALYSES.glob("*.sql"))
NAMES = [path.stem for path in FILES]

Row = dict[str, Any]

# The study's items every file is named after: prefix -> English and Dutch word of the header.
KINDS = {
    "fig": ("Figure", "Figuur"),
    "tab": ("Table", "Tabel"),
    "annex": ("Annex", "Bijlage"),
    "fn": ("Footnote", "Voetnoot"),
    "sec": ("Section", "Sectie"),
    # not the study's (it is retrospective): the report's current-year panel, docs/nowcast.md
    "nowcast": ("Current year", "Lopend jaar"),
}
# What the study publishes with a counterpart in the marts: each needs its file.
REQUIRED = (
    {("Figure", str(n)) for n in range(1, 15)}
    | {("Table", str(n)) for n in range(1, 5)}
    | {("Annex", "5"), ("Footnote", "18")}
)

# The columns each query returns, in order (space-separated).
EXPECTED_COLUMNS: dict[str, str] = {
    "annex3_usage_by_subgroup_and_year": (
        "dimension category label_nl label_fr label_en year users_extrapolated population "
        "usage_rate "
        "usage_rate_ci_low usage_rate_ci_high is_suppressed"
    ),
    "annex4_settings_by_subgroup": (
        "year dimension category label_nl label_fr label_en setting_group setting setting_label_nl "
        "setting_label_fr setting_label_en users_share users_share_ci_low users_share_ci_high "
        "users_extrapolated "
        "is_suppressed"
    ),
    "annex5_sessions_by_subgroup": (
        "dimension category label_nl label_fr label_en cohort_year patients_extrapolated "
        "mean_sessions "
        "mean_sessions_ci_low mean_sessions_ci_high is_suppressed"
    ),
    "fig01_mh_care_use": (
        "year category label_nl label_fr label_en is_exclusive population_share "
        "population_share_ci_low "
        "population_share_ci_high persons_extrapolated is_suppressed"
    ),
    "fig02_ambulatory_mh_care": (
        "year category label_nl label_fr label_en is_exclusive population_share "
        "population_share_ci_low "
        "population_share_ci_high persons_extrapolated is_suppressed"
    ),
    "fig03_province_need_supply_use": (
        "year province_code region label_nl label_fr label_en ghq2_share "
        "services_per_100_inhabitants "
        "services_per_100_ci_low services_per_100_ci_high usage_rate usage_rate_ci_low "
        "usage_rate_ci_high need_year need_is_estimate population providers "
        "providers_is_estimate providers_per_100k licensed conventioned_share_of_licensed "
        "services_per_provider users_extrapolated budget_eur budget_is_estimate "
        "spending_eur_extrapolated budget_utilisation is_suppressed"
    ),
    "fig04_users_per_year": (
        "year users_extrapolated usage_rate usage_rate_ci_low usage_rate_ci_high "
        "new_users_extrapolated cumulative_users_extrapolated cumulative_usage_rate population "
        "is_suppressed"
    ),
    "fig05_usage_rate_by_subgroup": (
        "year dimension category label_nl label_fr label_en usage_rate usage_rate_ci_low "
        "usage_rate_ci_high users_extrapolated population extrapolation_method is_suppressed"
    ),
    "fig06_outreach_share_by_subgroup": (
        "year setting dimension category label_nl label_fr label_en users_share users_share_ci_low "
        "users_share_ci_high users_extrapolated subgroup_users_extrapolated is_suppressed"
    ),
    "fig07_sessions_by_cohort_year": (
        "cohort_year patients_extrapolated mean_sessions mean_sessions_ci_low "
        "mean_sessions_ci_high p25_sessions median_sessions p75_sessions p95_sessions "
        "is_suppressed"
    ),
    "fig08_sessions_by_vt": (
        "cohort_year dimension category label_nl label_fr label_en patients_extrapolated "
        "mean_sessions "
        "mean_sessions_ci_low mean_sessions_ci_high p25_sessions median_sessions p75_sessions "
        "p95_sessions is_suppressed"
    ),
    "fig09_sessions_by_region": (
        "cohort_year dimension category label_nl label_fr label_en patients_extrapolated "
        "mean_sessions "
        "mean_sessions_ci_low mean_sessions_ci_high p25_sessions median_sessions p75_sessions "
        "p95_sessions is_suppressed"
    ),
    "fig10_prior_care_by_cohort_year": (
        "cohort_year prior_care prior_care_label_nl prior_care_label_fr prior_care_label_en share "
        "share_ci_low "
        "share_ci_high patients_extrapolated is_suppressed"
    ),
    "fig11_prior_care_by_subgroup": (
        "cohort_year dimension category label_nl label_fr label_en prior_care prior_care_label_nl "
        "prior_care_label_fr prior_care_label_en share "
        "share_ci_low share_ci_high patients_extrapolated is_suppressed"
    ),
    "fig12_care_before_during_after": (
        "cohort_year period care_type label_nl label_fr label_en elp_status share share_ci_low "
        "share_ci_high patients_extrapolated is_suppressed"
    ),
    "fig13_antidepressant_trajectories": (
        "cohort_year start_group start_group_patients_extrapolated pattern elp_after "
        "patients_extrapolated share_of_start_group share_of_start_group_ci_low "
        "share_of_start_group_ci_high share_of_cohort share_of_cohort_ci_low "
        "share_of_cohort_ci_high is_suppressed"
    ),
    "fig14_psychiatrist_trajectories": (
        "cohort_year start_group start_group_patients_extrapolated pattern elp_after "
        "patients_extrapolated share_of_start_group share_of_start_group_ci_low "
        "share_of_start_group_ci_high share_of_cohort share_of_cohort_ci_low "
        "share_of_cohort_ci_high is_suppressed"
    ),
    "fn18_standardised_rates": (
        "year dimension category label_nl label_fr label_en usage_rate usage_rate_ci_low "
        "usage_rate_ci_high standardised_rate standardised_rate_ci_low "
        "standardised_rate_ci_high is_suppressed"
    ),
    "sec322_provider_density": (
        "year network_type label_nl label_fr label_en age_population providers "
        "providers_is_estimate "
        "share_of_providers population providers_per_100k"
    ),
    "tab01_services_mix": (
        "area dimension category label_nl label_fr label_en year share share_ci_low share_ci_high "
        "services_extrapolated is_suppressed"
    ),
    "tab02_users_by_function": (
        "year function label_nl label_fr label_en users_extrapolated users_share "
        "users_share_ci_low users_share_ci_high is_suppressed"
    ),
    "tab03_users_by_function_profile": (
        "year dimension category label_nl label_fr label_en users_total users_support "
        "users_treatment "
        "users_both users_other share_support share_support_ci_low share_support_ci_high "
        "share_treatment share_treatment_ci_low share_treatment_ci_high share_both "
        "share_both_ci_low share_both_ci_high share_other share_other_ci_low "
        "share_other_ci_high any_suppressed"
    ),
    "nowcast1_completed_by_month": (
        "as_of_date period period_start period_end area_type area label_nl label_fr label_en "
        "users_observed users_extrapolated users_completed users_completed_ci_low "
        "users_completed_ci_high users_completeness services_extrapolated services_completed "
        "services_completed_ci_low services_completed_ci_high services_completeness "
        "spending_eur_extrapolated spending_eur_completed spending_eur_completed_ci_low "
        "spending_eur_completed_ci_high spending_completeness uses_pooled_factor is_suppressed"
    ),
    "nowcast2_budget_projection": (
        "year as_of_date area_type area label_nl label_fr label_en budget_eur budget_is_estimate "
        "users_observed spending_eur_to_date spending_eur_to_date_completed spending_eur_projected "
        "spending_eur_projected_ci_low spending_eur_projected_ci_high services_projected "
        "services_projected_ci_low services_projected_ci_high budget_utilisation_to_date "
        "projected_budget_utilisation projected_budget_utilisation_ci_low "
        "projected_budget_utilisation_ci_high uses_pooled_factor is_suppressed"
    ),
    "nowcast3_backtest_by_horizon": (
        "period measure horizon_months cases suppressed_cases covered_share "
        "median_abs_relative_error max_abs_relative_error median_abs_booked_relative_error "
        "first_as_of_date last_as_of_date"
    ),
    "tab04_users_by_network_and_place": (
        "block category label_nl label_fr label_en year users_extrapolated users_share "
        "users_share_ci_low users_share_ci_high is_suppressed"
    ),
}


class Result:
    """A query's column names and rows (dicts by column name)."""

    def __init__(self, columns: list[str], rows: list[Row]) -> None:
        self.columns = columns
        self.rows = rows

    def where(self, **equal: Any) -> list[Row]:
        return [r for r in self.rows if all(r[k] == v for k, v in equal.items())]


def run_all(con: duckdb.DuckDBPyConnection) -> dict[str, Result]:
    out = {}
    for path in FILES:
        cursor = con.execute(path.read_text())
        columns = [d[0] for d in cursor.description]
        out[path.stem] = Result(
            columns, [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
        )
    return out


def close(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def total(rows: Iterable[Row], column: str) -> float:
    return float(sum(r[column] for r in rows))


def grouped(rows: Iterable[Row], *keys: str) -> dict[tuple[Any, ...], list[Row]]:
    groups: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for r in rows:
        groups[tuple(r[k] for k in keys)].append(r)
    return dict(groups)


def study_item(path: Path) -> tuple[str, str]:
    """('Figure', '1') for fig01_*.sql, ('Section', '3.2.2') for sec322_*.sql."""
    match = re.fullmatch(r"(fig|tab|annex|fn|sec|nowcast)(\d+)_[a-z0-9_]+", path.stem)
    assert match, f"{path.name}: not named <fig|tab|annex|fn|sec|nowcast><number>_<what>.sql"
    kind, digits = match.groups()
    return KINDS[kind][0], ".".join(digits) if kind == "sec" else str(int(digits))


def header(path: Path) -> list[str]:
    lines = path.read_text().splitlines()
    end = next(i for i, line in enumerate(lines) if not line.startswith("--"))
    return lines[:end]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return built_warehouse(tmp_path_factory)


@pytest.fixture(scope="module")
def published(built: Built) -> dict[str, Result]:
    """Every analysis on the published snapshot, as a BI user runs it."""
    con = duckdb.connect(str(built.snapshot), read_only=True)
    try:
        return run_all(con)
    finally:
        con.close()


@pytest.fixture(scope="module")
def unsuppressed(built: Built) -> Iterator[dict[str, Result]]:
    """Every analysis on the working database's marts (nothing suppressed), under the
    snapshot's names: marts.<mart> and reference.labels as views in an in-memory database."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{built.working_db}' as work (read_only)")
        con.execute("create schema marts")
        con.execute("create schema reference")
        con.execute("create view reference.labels as select * from work.seeds.labels")
        for (mart,) in con.execute(
            "select table_name from information_schema.tables"
            " where table_catalog = 'work' and table_schema = 'marts'"
        ).fetchall():
            columns = {
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns where table_catalog ="
                    f" 'work' and table_schema = 'marts' and table_name = '{mart}'"
                ).fetchall()
            }
            flag = "" if "is_suppressed" in columns else ", false as is_suppressed"
            con.execute(f"create view marts.{mart} as select *{flag} from work.marts.{mart}")
        yield run_all(con)
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------
# The files: names, headers, docs, dbt
# ---------------------------------------------------------------------------------------------


def test_every_study_figure_and_table_has_one_file() -> None:
    items = [study_item(path) for path in FILES]
    assert len(FILES) >= 10
    assert len(items) == len(set(items)), "two files for one study item"
    missing = REQUIRED - set(items)
    assert not missing, f"no file for {sorted(missing)}"
    assert set(EXPECTED_COLUMNS) == set(NAMES)


@pytest.mark.parametrize("path", FILES, ids=NAMES)
def test_header_names_the_study_item_its_rows_and_filter(path: Path) -> None:
    kind, number = study_item(path)
    dutch = next(nl for en, nl in KINDS.values() if en == kind)
    lines = header(path)
    assert lines and lines[0].startswith(f"-- {kind} {number}: "), lines[:1]
    text = "\n".join(lines)
    assert re.search(rf"^-- {dutch} {re.escape(number)}: \S", text, re.M), "no Dutch title"
    for field in ("Reads: marts.mart_", "Rows: ", "Filter: "):
        assert f"\n-- {field}" in text, f"header has no '-- {field}'"
    body = path.read_text()[len(text) :]
    # the filter a BI user changes sits in one place near the top, as literals
    assert re.search(r"^params as \(\n    select\n? +\S+ as \w+", body, re.M), "no params CTE"
    assert re.search(r"^order by\b", body, re.M), "result not ordered"


def test_docs_list_every_analysis() -> None:
    text = BI_DOC.read_text()
    section = text[text.index("## Ready-made queries (analyses/)") :].split("\n## ", 1)[0]
    listed = re.findall(r"\]\(\.\./analyses/([a-z0-9_]+)\.sql\)", section)
    assert sorted(listed) == NAMES


def test_dbt_compiles_every_analysis_to_the_file_itself(built: Built, tmp_path: Path) -> None:
    # a copy of the build's target: dbt re-parses only what changed, and the manifest the
    # other BI tests read stays as the build left it
    target = tmp_path / "target"
    shutil.copytree(built.target_dir, target, ignore=shutil.ignore_patterns("logs", "run"))
    proc = run_dbt(
        ["compile", "--select", "resource_type:analysis"],
        built.raw_dir,
        built.warehouse_dir,
        target_dir=target,
    )
    assert proc.returncode == 0, output(proc)[-4000:]
    manifest = json.loads((target / "manifest.json").read_text())
    analyses = sorted(
        node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "analysis"
    )
    assert analyses == NAMES
    for path in FILES:
        compiled = target / "compiled" / "elp_warehouse" / "analyses" / path.name
        # nothing for dbt to render: the file is what a BI user pastes
        assert compiled.read_text().rstrip() == path.read_text().rstrip(), path.name


# ---------------------------------------------------------------------------------------------
# The queries on the published snapshot
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_runs_on_the_snapshot_with_the_figures_columns(
    published: dict[str, Result], name: str
) -> None:
    result = published[name]
    assert result.columns == EXPECTED_COLUMNS[name].split()
    assert result.rows, f"{name}: no row on the demo snapshot"


@pytest.mark.parametrize("name", NAMES)
def test_the_snapshot_only_nulls_and_flags_cells(
    published: dict[str, Result], unsuppressed: dict[str, Result], name: str
) -> None:
    pub, full = published[name], unsuppressed[name]
    assert len(pub.rows) == len(full.rows)
    flag = next((c for c in ("is_suppressed", "any_suppressed") if c in pub.columns), None)
    for p, f in zip(pub.rows, full.rows, strict=True):
        for column in pub.columns:
            if column == flag:
                continue
            if p[column] is None and f[column] is not None:
                assert flag is not None and p[flag], (
                    f"{name}: {column} nulled, row not flagged: {p}"
                )
            else:
                assert close(p[column], f[column]), (
                    f"{name}: {column}: {p[column]!r} != {f[column]!r}"
                )


def test_the_demo_snapshot_suppresses_cells_the_queries_show(published: dict[str, Result]) -> None:
    # else the comparison above would never meet a suppressed cell
    flagged = [n for n, res in published.items() if any(r.get("is_suppressed") for r in res.rows)]
    assert len(flagged) >= 5, flagged


# ---------------------------------------------------------------------------------------------
# The figures' arithmetic, on the unsuppressed marts
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_shares_are_fractions_inside_their_interval(
    unsuppressed: dict[str, Result], name: str
) -> None:
    result = unsuppressed[name]
    fractions = [c for c in result.columns if "share" in c or "_rate" in c or c.endswith("rate")]
    intervals = [c for c in result.columns if f"{c}_ci_low" in result.columns]
    assert fractions or intervals, name
    for r in result.rows:
        for c in fractions:
            assert r[c] is None or 0 <= r[c] <= 1, f"{name}: {c} = {r[c]} in {r}"
        for c in intervals:
            if r[c] is not None and r[f"{c}_ci_low"] is not None:
                assert r[f"{c}_ci_low"] - 1e-12 <= r[c] <= r[f"{c}_ci_high"] + 1e-12, (name, c, r)


def test_figures_1_and_2_exclusive_categories_add_up_to_the_total(
    unsuppressed: dict[str, Result],
) -> None:
    for name, total_category in (
        ("fig01_mh_care_use", "any_mh_care"),
        ("fig02_ambulatory_mh_care", "ambulatory_total"),
    ):
        result = unsuppressed[name]
        by_year = grouped(result.rows, "year")
        assert sorted(y for (y,) in by_year) == list(range(2010, 2025)), name
        for (year, *_), rows in by_year.items():
            parts = [r for r in rows if r["is_exclusive"]]
            (whole,) = [r for r in rows if r["category"] == total_category]
            assert len(parts) >= 3, (name, year)
            assert close(total(parts, "population_share"), whole["population_share"]), (name, year)
            assert close(total(parts, "persons_extrapolated"), whole["persons_extrapolated"])


def test_tables_2_and_3_functions_split_the_users(unsuppressed: dict[str, Result]) -> None:
    table_2 = unsuppressed["tab02_users_by_function"]
    yearly = {r["year"]: r for r in unsuppressed["fig04_users_per_year"].rows}
    assert sorted({r["year"] for r in table_2.rows}) == [2022, 2023, 2024]
    for (year,), rows in grouped(table_2.rows, "year").items():
        functions = [r for r in rows if r["function"] != "total"]
        (year_total,) = [r for r in rows if r["function"] == "total"]
        assert [r["function"] for r in functions] == ["support", "treatment", "both", "other"]
        assert close(total(functions, "users_share"), 1.0), year
        assert close(total(functions, "users_extrapolated"), year_total["users_extrapolated"])
        # the same users as Figure 4 counts
        assert close(year_total["users_extrapolated"], yearly[year]["users_extrapolated"])

    table_3 = unsuppressed["tab03_users_by_function_profile"]
    function_names = ("support", "treatment", "both", "other")
    for r in table_3.rows:
        assert close(sum(r[f"users_{f}"] for f in function_names), r["users_total"]), r
        assert close(sum(r[f"share_{f}"] for f in function_names), 1.0), r
    (national,) = table_3.where(dimension="total")
    assert close(
        national["users_total"], table_2.where(year=2024, function="total")[0]["users_extrapolated"]
    )
    assert close(
        total(table_3.where(dimension="age_group"), "users_total"), national["users_total"]
    )
    assert {r["dimension"] for r in table_3.rows} == {
        "total",
        "age_group",
        "vt",
        "sex",
        "region",
        "socio_professional",
        "specific_category",
    }


def test_table_4_networks_and_exclusive_places_partition_the_users(
    unsuppressed: dict[str, Result],
) -> None:
    table_4 = unsuppressed["tab04_users_by_network_and_place"]
    assert [b for b in dict.fromkeys(r["block"] for r in table_4.rows)] == [
        "network",
        "place_exclusive",
        "place_any",
    ]
    for year in (2022, 2023, 2024):
        networks = table_4.where(block="network", year=year)
        places = table_4.where(block="place_exclusive", year=year)
        assert len(networks) == 2 and len(places) == 7, year
        assert close(total(networks, "users_share"), 1.0), year
        assert close(total(places, "users_share"), 1.0), year
        assert close(total(networks, "users_extrapolated"), total(places, "users_extrapolated"))
        (office_only,) = table_4.where(block="place_exclusive", year=year, category="office_only")
        (office_any,) = table_4.where(block="place_any", year=year, category="office")
        assert office_only["users_share"] <= office_any["users_share"]


def test_table_1_and_figure_6_read_the_right_slices(unsuppressed: dict[str, Result]) -> None:
    table_1 = unsuppressed["tab01_services_mix"]
    assert {r["area"] for r in table_1.rows} == {"belgium"}
    groups = grouped(table_1.rows, "dimension", "year")
    assert {d for d, _ in groups} == {"setting", "function", "network_type"}
    for key, rows in groups.items():
        assert close(total(rows, "share"), 1.0), key

    annex_4 = unsuppressed["annex4_settings_by_subgroup"]
    for key, rows in grouped(
        annex_4.where(setting_group="exclusive"), "dimension", "category"
    ).items():
        assert close(total(rows, "users_share"), 1.0), key
    outreach = {
        (r["dimension"], r["category"]): r["users_share"]
        for r in annex_4.where(setting_group="any", setting="outreach")
    }
    figure_6 = unsuppressed["fig06_outreach_share_by_subgroup"].rows
    assert figure_6[0]["dimension"] == "total"
    assert all(close(r["users_share"], outreach[(r["dimension"], r["category"])]) for r in figure_6)


def test_usage_rates_agree_across_figures(unsuppressed: dict[str, Result]) -> None:
    (rate_2024,) = [r["usage_rate"] for r in unsuppressed["fig04_users_per_year"].where(year=2024)]
    figure_5 = unsuppressed["fig05_usage_rate_by_subgroup"]
    assert figure_5.rows[0]["dimension"] == "total"
    assert close(figure_5.rows[0]["usage_rate"], rate_2024)
    assert close(
        unsuppressed["fn18_standardised_rates"].where(dimension="total")[0]["usage_rate"], rate_2024
    )
    assert math.isclose(
        unsuppressed["fig03_province_need_supply_use"].where(province_code="belgium")[0][
            "usage_rate"
        ],
        rate_2024,
        rel_tol=1e-6,
    )
    footnote_18 = unsuppressed["fn18_standardised_rates"]
    assert [r["category"] for r in footnote_18.rows] == ["belgium", "vt", "non_vt"]
    assert all(r["standardised_rate"] is not None for r in footnote_18.rows)


def test_sessions_figures_read_one_distribution(unsuppressed: dict[str, Result]) -> None:
    figure_7 = {r["cohort_year"]: r for r in unsuppressed["fig07_sessions_by_cohort_year"].rows}
    assert sorted(figure_7) == [2022, 2023, 2024]
    for r in figure_7.values():
        assert r["p25_sessions"] <= r["median_sessions"] <= r["p75_sessions"] <= r["p95_sessions"]
    for name, categories in (
        ("fig08_sessions_by_vt", ["belgium", "vt", "non_vt"]),
        ("fig09_sessions_by_region", ["belgium", "flanders", "wallonia", "brussels"]),
    ):
        rows = unsuppressed[name].rows
        assert [r["category"] for r in rows] == categories
        assert close(rows[0]["mean_sessions"], figure_7[2024]["mean_sessions"])
        assert close(rows[0]["p95_sessions"], figure_7[2024]["p95_sessions"])
    annex_5 = unsuppressed["annex5_sessions_by_subgroup"].where(dimension="total")
    assert [
        close(r["mean_sessions"], figure_7[r["cohort_year"]]["mean_sessions"]) for r in annex_5
    ] == [True] * 3


def test_prior_care_and_transitions_shares_add_up(unsuppressed: dict[str, Result]) -> None:
    figure_10 = unsuppressed["fig10_prior_care_by_cohort_year"]
    for key, rows in grouped(figure_10.rows, "cohort_year").items():
        assert len(rows) == 5 and close(total(rows, "share"), 1.0), key
    figure_11 = unsuppressed["fig11_prior_care_by_subgroup"]
    for key, rows in grouped(figure_11.rows, "dimension", "category").items():
        assert len(rows) == 5 and close(total(rows, "share"), 1.0), key
    national_2024 = {r["prior_care"]: r["share"] for r in figure_11.where(dimension="total")}
    assert all(
        close(r["share"], national_2024[r["prior_care"]]) for r in figure_10.where(cohort_year=2024)
    )

    figure_12 = unsuppressed["fig12_care_before_during_after"]
    assert [p for p in dict.fromkeys(r["period"] for r in figure_12.rows)] == [
        "before",
        "during",
        "after",
    ]
    for (period,), rows in grouped(figure_12.rows, "period").items():
        care = [r for r in rows if r["care_type"] != "all" and r["elp_status"] == "all"]
        assert close(total(care, "share"), 1.0), period
        for key, split in grouped(rows, "care_type").items():
            status = {r["elp_status"]: r["share"] for r in split}
            with_and_without = status["with_elp_after"] + status["without_elp_after"]
            assert close(with_and_without, status["all"]), (period, key)

    for name in ("fig13_antidepressant_trajectories", "fig14_psychiatrist_trajectories"):
        rows = unsuppressed[name].rows
        assert [g for g in dict.fromkeys(r["start_group"] for r in rows)] == [
            "not_before",
            "before",
        ]
        for key, group in grouped(
            [r for r in rows if r["elp_after"] == "all"], "start_group"
        ).items():
            assert close(total(group, "share_of_start_group"), 1.0), (name, key)
