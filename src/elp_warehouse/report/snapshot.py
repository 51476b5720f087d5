"""Reading the published snapshot: its marts, the ready-made queries of analyses/ and the labels.

The report runs the analyses/ files themselves (their `params` CTE filled in with the years the
snapshot holds), so a figure in the report and the same query pasted into a BI tool give the
same numbers.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from elp_warehouse import paths
from elp_warehouse.report.i18n import LANGS, Text, same

ANALYSES_DIR = paths.PROJECT_ROOT / "analyses"

# the `params` CTE every analyses/ file starts with: `params as (select <literal> as <name>, ...)`
_PARAMS = re.compile(r"^params as \(\n(?P<body>.*?)\n\)", re.S | re.M)
_LITERAL = r"(?:-?\d+|'[^']*')"


class NotAvailableError(Exception):
    """The figure cannot be drawn from the snapshot; the message says why."""


class AnalysisError(Exception):
    """An analyses/ file is missing or its `params` CTE does not hold the expected names."""


Rows = list[dict[str, Any]]


def analysis_sql(name: str, params: dict[str, int | str] | None = None) -> str:
    """The text of analyses/<name>.sql with the given `params` literals replaced."""
    path = ANALYSES_DIR / f"{name}.sql"
    if not path.is_file():
        raise AnalysisError(f"no ready-made query {path} (the report runs the analyses/ files)")
    sql = path.read_text(encoding="utf-8")
    found = _PARAMS.search(sql)
    if found is None:
        raise AnalysisError(f"{path}: no `params as (...)` CTE at the start of a line")
    body = found.group("body")
    for key, value in (params or {}).items():
        literal = str(value) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"
        body, n = re.subn(rf"{_LITERAL}(\s+as\s+{re.escape(key)}\b)", literal + r"\1", body)
        if n != 1:
            raise AnalysisError(f"{path}: the `params` CTE has no single `... as {key}`")
    return sql[: found.start("body")] + body + sql[found.end("body") :]


class Snapshot:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.tables = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        self.labels: dict[tuple[str, str], Text] = {}
        self._mart_labels: dict[tuple[str, str, str], dict[str, Text]] = {}
        # (dimension, code) pairs that had no label in one of the languages: the page lists
        # them (data-missing-labels) and the tests fail on them
        self.missing: set[tuple[str, str]] = set()
        has_labels = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'reference' "
            "and table_name = 'labels'"
        ).fetchall()[0][0]
        if has_labels:
            for dim, cat, nl, fr, en in con.execute(
                "select dimension, category, label_nl, label_fr, label_en from reference.labels"
            ).fetchall():
                if nl and fr and en:
                    self.labels[(dim, cat)] = {"nl": nl, "fr": fr, "en": en}

    def rows(self, mart: str, sql: str, params: list[Any] | None = None) -> Rows:
        if mart not in self.tables:
            raise NotAvailableError(f"missing:{mart}")
        cur = self.con.execute(sql.replace("{mart}", f"marts.{mart}"), params or [])
        return self._fetch(cur)

    def analysis(self, name: str, mart: str, **params: int | str) -> Rows:
        """The rows of analyses/<name>.sql (which reads `mart`) on the snapshot."""
        if mart not in self.tables:
            raise NotAvailableError(f"missing:{mart}")
        try:
            cur = self.con.execute(analysis_sql(name, params))
        except duckdb.Error as exc:  # a mart of another shape: say so in the figure's panel
            first = str(exc).splitlines()[0]
            raise NotAvailableError(f"analyses/{name}.sql does not run on it ({first})") from exc
        return self._fetch(cur)

    @staticmethod
    def _fetch(cur: duckdb.DuckDBPyConnection) -> Rows:
        names = [d[0] for d in cur.description or []]
        return [
            {n: float(v) if isinstance(v, Decimal) else v for n, v in zip(names, r, strict=True)}
            for r in cur.fetchall()
        ]

    def span(self, mart: str, column: str = "year") -> tuple[int, int]:
        """The first and last year (or cohort year) a mart holds."""
        rows = self.rows(mart, f"select min({column}) as lo, max({column}) as hi from {{mart}}")
        if not rows or rows[0]["lo"] is None:
            raise NotAvailableError("no rows")
        return int(rows[0]["lo"]), int(rows[0]["hi"])

    def columns(self, mart: str) -> set[str]:
        if mart not in self.tables:
            raise NotAvailableError(f"missing:{mart}")
        return {
            r[0]
            for r in self.con.execute(
                "select column_name from information_schema.columns where table_schema = 'marts' "
                "and table_name = ?",
                [mart],
            ).fetchall()
        }

    def label(
        self, dim: str, cat: str, mart: str | None = None, code: str = "", prefix: str = "label_"
    ) -> Text:
        """The category's label in the three languages: the mart's own label columns when it
        has them (`code` names the mart's code column, default `dim`), else reference.labels.
        A code without a label in every language is recorded in `missing` and shown as it is,
        so the gap is visible and tested rather than hidden."""
        if mart is not None:
            found = self._labels_of(mart, code or dim, prefix).get(cat)
            if found:
                return found
        found = self.labels.get((dim, cat))
        if found:
            return found
        self.missing.add((dim, cat))
        return same(cat)

    def _labels_of(self, mart: str, code: str, prefix: str) -> dict[str, Text]:
        key = (mart, code, prefix)
        if key not in self._mart_labels:
            cols = self.columns(mart)
            names = [f"{prefix}{lang}" for lang in LANGS]
            labels: dict[str, Text] = {}
            if code in cols and all(n in cols for n in names):
                for row in self.rows(
                    mart, f"select distinct {code}, {', '.join(names)} from {{mart}}"
                ):
                    values = [row[n] for n in names]
                    if all(values):
                        labels[str(row[code])] = dict(zip(LANGS, map(str, values), strict=True))
            self._mart_labels[key] = labels
        return self._mart_labels[key]

    def min_cell_size(self) -> int | None:
        rows = self.con.execute("select min_cell_size from meta.snapshot").fetchall()
        return int(rows[0][0]) if rows and rows[0][0] is not None else None


def analysis_path(name: str) -> Path:
    return ANALYSES_DIR / f"{name}.sql"
