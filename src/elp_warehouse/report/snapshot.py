"""Reading the published snapshot: its marts, their columns and the seed labels."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import duckdb

from elp_warehouse.report.i18n import LANGS, Text, same


class NotAvailableError(Exception):
    """The figure cannot be drawn from the snapshot; the message says why."""


Rows = list[dict[str, Any]]


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
        has_labels = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'reference' "
            "and table_name = 'labels'"
        ).fetchall()[0][0]
        if has_labels:
            for dim, cat, nl, fr, en in con.execute(
                "select dimension, category, label_nl, label_fr, label_en from reference.labels"
            ).fetchall():
                self.labels[(dim, cat)] = {"nl": nl, "fr": fr, "en": en}

    def rows(self, mart: str, sql: str, params: list[Any] | None = None) -> Rows:
        if mart not in self.tables:
            raise NotAvailableError(f"missing:{mart}")
        cur = self.con.execute(sql.replace("{mart}", f"marts.{mart}"), params or [])
        names = [d[0] for d in cur.description]
        return [
            {n: float(v) if isinstance(v, Decimal) else v for n, v in zip(names, r, strict=True)}
            for r in cur.fetchall()
        ]

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

    def label(self, dim: str, cat: str, row: dict[str, Any] | None = None) -> Text:
        if row and all(row.get(f"label_{lang}") for lang in LANGS):
            return {lang: str(row[f"label_{lang}"]) for lang in LANGS}
        return self.labels.get((dim, cat)) or same(cat)
