"""Publish the marts for BI: a suppressed, atomically replaced snapshot.

After a successful build, every *declared* mart is copied from the working database
(`elp.duckdb`) into a separate snapshot `published.duckdb` (and one Parquet file per mart under
`published/`), with small-cell suppression applied. BI tools only ever open the snapshot,
read-only; the build never touches it.

- `declarations`: which marts are published and how (publish/published_marts.yml), validated;
- `suppression`: primary and complementary small-cell suppression, over all marts at once;
- `snapshot`: writing the new snapshot (marts, comments, metadata, run log) and checking it;
- `atomic`: the lock, the leftovers of killed publishes, and the atomic swap;
- `run`: `publish()`, which ties them together.
"""

from __future__ import annotations

from elp_warehouse.publish.atomic import SNAPSHOT_NAME, TMP_PREFIX, snapshot_path
from elp_warehouse.publish.declarations import (
    MartDeclaration,
    Rule,
    load_declarations,
    parse_declaration,
    validate,
)
from elp_warehouse.publish.errors import PublishError
from elp_warehouse.publish.names import IDENTIFIER_NAME
from elp_warehouse.publish.run import PAUSE_ENV, PublishResult, publish, resolve_min_cell_size
from elp_warehouse.publish.suppression import suppressed_select, suppressed_selects

__all__ = [
    "IDENTIFIER_NAME",
    "PAUSE_ENV",
    "SNAPSHOT_NAME",
    "TMP_PREFIX",
    "MartDeclaration",
    "PublishError",
    "PublishResult",
    "Rule",
    "load_declarations",
    "parse_declaration",
    "publish",
    "resolve_min_cell_size",
    "snapshot_path",
    "suppressed_select",
    "suppressed_selects",
    "validate",
]
