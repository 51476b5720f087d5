"""The path Superset takes: SQLAlchemy + duckdb-engine, a read-only engine on the published
snapshot, reflecting and querying every published mart; writes are refused; the README's
example queries run; a publish is never blocked by an open BI connection."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from publish_support import Built, built_warehouse
from sqlalchemy.pool import NullPool

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return built_warehouse(tmp_path_factory)


def engine(path: Path) -> sa.Engine:
    # the URI a Superset admin enters (docs/bi.md); NullPool as Superset uses for queries
    return sa.create_engine(f"duckdb:///{path}?access_mode=read_only", poolclass=NullPool)


def test_every_published_mart_reflects_and_queries(built: Built) -> None:
    eng = engine(built.snapshot)
    inspector = sa.inspect(eng)
    marts = inspector.get_table_names(schema="marts")
    assert "mart_elp_users_yearly" in marts
    with eng.connect() as con:
        recorded = {
            r[0]: r[1]
            for r in con.execute(sa.text("select mart, row_count from meta.published_marts")).all()
        }
        assert sorted(recorded) == sorted(marts)
        for mart in marts:
            columns = {c["name"] for c in inspector.get_columns(mart, schema="marts")}
            assert "is_suppressed" in columns, mart
            n = con.execute(sa.text(f"select count(*) from marts.{mart}")).scalar_one()
            assert n == recorded[mart]
            sample = con.execute(sa.text(f"select * from marts.{mart} limit 5")).mappings().all()
            assert sample and set(sample[0]) == columns
    eng.dispose()


def test_the_engine_is_read_only(built: Built) -> None:
    eng = engine(built.snapshot)
    with eng.connect() as con, pytest.raises(sa.exc.DBAPIError, match="read-only"):
        con.execute(sa.text("create table marts.x (a integer)"))
    eng.dispose()


def _readme_queries() -> list[str]:
    text = README.read_text()
    section = text[text.index("## For BI users") :]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.DOTALL)


def test_readme_example_queries_run(built: Built) -> None:
    queries = _readme_queries()
    assert len(queries) == 3
    eng = engine(built.snapshot)
    with eng.connect() as con:
        for sql in queries:
            rows = con.execute(sa.text(sql)).all()
            assert rows, sql
    eng.dispose()


def test_a_publish_is_not_blocked_by_an_open_bi_connection(built: Built) -> None:
    eng = sa.create_engine(f"duckdb:///{built.snapshot}?access_mode=read_only")
    with eng.connect() as con:
        before = con.execute(sa.text("select snapshot_version from meta.snapshot")).scalar_one()
        proc = built.elp("publish")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        # the open connection keeps its consistent (old) snapshot
        same = con.execute(sa.text("select snapshot_version from meta.snapshot")).scalar_one()
        assert same == before
    eng.dispose()
    fresh = engine(built.snapshot)
    with fresh.connect() as con:
        now = con.execute(sa.text("select snapshot_version from meta.snapshot")).scalar_one()
    assert now != before
    fresh.dispose()
