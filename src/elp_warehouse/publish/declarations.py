"""Which marts are published, and how each is suppressed: the declarations.

Declarations (what is published, and how it is suppressed) live in
`publish/published_marts.yml` (or in a model's `config: meta: published:`), validated against
the dbt manifest and the working database. See docs/bi.md for the convention.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from elp_warehouse import paths
from elp_warehouse.publish.errors import PublishError
from elp_warehouse.publish.names import IDENTIFIER_NAME, MART_SCHEMA, SIMPLE_NAME, quote


@dataclass(frozen=True)
class Relation:
    """The cell with key `total` is the sum of the rows (parts) giving that key, taken apart
    for each value of `siblings` (e.g. each breakdown of a total is a partition of its own)."""

    total: tuple[str, ...]
    siblings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """Values resting on the persons counted by `count_column` (or `count_expression`)."""

    count_column: str | None
    value_columns: tuple[str, ...] = ()
    count_expression: str | None = None
    complementary_groups: tuple[tuple[str, ...], ...] = ()
    # the population cell a row's count describes, as a key shared by every mart showing it
    cell: tuple[str, ...] = ()
    # keys of the cells this row's cell is a part of (total = sum of the parts)
    adds_up_to: tuple[Relation, ...] = ()

    @property
    def count_sql(self) -> str:
        if self.count_expression:
            return self.count_expression
        assert self.count_column is not None
        return quote(self.count_column)

    @property
    def nulled(self) -> tuple[str, ...]:
        own = (self.count_column,) if self.count_column else ()
        return (*own, *self.value_columns)


@dataclass(frozen=True)
class MartDeclaration:
    name: str
    key: tuple[str, ...]
    rules: tuple[Rule, ...] = ()
    public_columns: tuple[str, ...] = ()
    exclude_columns: tuple[str, ...] = ()
    no_suppression_reason: str | None = None
    draft: bool = False
    origin: str = "publish/published_marts.yml"

    def classified(self) -> set[str]:
        cols = set(self.key) | set(self.public_columns) | set(self.exclude_columns)
        for rule in self.rules:
            cols |= set(rule.nulled)
        return cols

    def named_columns(self) -> set[str]:
        """Every plain column name the declaration refers to (for validation)."""
        cols = self.classified()
        for rule in self.rules:
            relations = [(*r.total, *r.siblings) for r in rule.adds_up_to]
            for group in (*rule.complementary_groups, rule.cell, *relations):
                cols |= {g for g in group if SIMPLE_NAME.match(g)}
        return cols


@dataclass
class Validation:
    marts: list[MartDeclaration] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _as_tuple(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PublishError(f"{what}: expected a list of column names, got {value!r}")
    return tuple(v.lower() if SIMPLE_NAME.match(v.lower()) else v for v in value)


def _parse_rule(mart: str, raw: Mapping[str, Any]) -> Rule:
    if "count_column" not in raw and "count_expression" not in raw:
        raise PublishError(f"{mart}: a suppression rule needs a count_column or count_expression")
    lists: dict[str, list[Any]] = {}
    for name in ("complementary_groups", "adds_up_to"):
        lists[name] = raw.get(name) or []
        if not isinstance(lists[name], list):
            raise PublishError(f"{mart}: {name} must be a list of lists")
    return Rule(
        count_column=str(raw["count_column"]).lower() if raw.get("count_column") else None,
        value_columns=_as_tuple(raw.get("value_columns"), f"{mart}.value_columns"),
        count_expression=raw.get("count_expression"),
        complementary_groups=tuple(
            _as_tuple(g, f"{mart}.complementary_groups") for g in lists["complementary_groups"] if g
        ),
        cell=_as_tuple(raw.get("cell"), f"{mart}.cell"),
        adds_up_to=tuple(_parse_relation(mart, r) for r in lists["adds_up_to"] if r),
    )


def _parse_relation(mart: str, raw: Any) -> Relation:
    what = f"{mart}.adds_up_to"
    if isinstance(raw, dict):
        if set(raw) - {"total", "siblings"} or not raw.get("total"):
            raise PublishError(f"{what}: expected a list or {{total: [...], siblings: [...]}}")
        return Relation(_as_tuple(raw["total"], what), _as_tuple(raw.get("siblings"), what))
    return Relation(_as_tuple(raw, what))


def parse_declaration(name: str, raw: Mapping[str, Any], origin: str) -> MartDeclaration:
    known = {
        "published",
        "key",
        "suppression",
        "public_columns",
        "exclude_columns",
        "no_suppression_reason",
        "draft",
        "description",
    }
    unknown = set(raw) - known
    if unknown:
        raise PublishError(f"{name} ({origin}): unknown keys {sorted(unknown)}")
    suppression = raw.get("suppression") or []
    if isinstance(suppression, dict):  # the single-rule short form
        suppression = [suppression]
    if not isinstance(suppression, list):
        raise PublishError(f"{name}: suppression must be a rule or a list of rules")
    decl = MartDeclaration(
        name=name,
        key=_as_tuple(raw.get("key"), f"{name}.key"),
        rules=tuple(_parse_rule(name, r) for r in suppression),
        public_columns=_as_tuple(raw.get("public_columns"), f"{name}.public_columns"),
        exclude_columns=_as_tuple(raw.get("exclude_columns"), f"{name}.exclude_columns"),
        no_suppression_reason=raw.get("no_suppression_reason"),
        draft=bool(raw.get("draft", False)),
        origin=origin,
    )
    if not decl.key:
        raise PublishError(f"{name}: declare its grain as `key` (the columns of one row)")
    if not decl.rules and not decl.no_suppression_reason:
        raise PublishError(
            f"{name}: no suppression rule; a mart without person counts must say why in "
            "`no_suppression_reason`"
        )
    return decl


def default_declarations_path() -> Path:
    return paths.PROJECT_ROOT / "publish" / "published_marts.yml"


def default_manifest_path() -> Path:
    return paths.target_dir() / "manifest.json"


def load_declarations(path: Path, manifest: Mapping[str, Any]) -> list[MartDeclaration]:
    """Declarations of the YAML file plus those in models' `config.meta.published`."""
    raw = yaml.safe_load(path.read_text()) or {}
    marts = raw.get("marts") or {}
    decls: dict[str, MartDeclaration] = {}
    for name, body in marts.items():
        if body is None or body.get("published", True) is False:
            continue
        decls[name] = parse_declaration(name, body, str(path.name))
    for node in mart_nodes(manifest).values():
        meta = (node.get("config") or {}).get("meta") or {}
        if not meta.get("published"):
            continue
        body = {k: v for k, v in meta.items() if k in {"published", "suppression", "key"}}
        body.update({k: meta[k] for k in meta if k in {"public_columns", "exclude_columns"}})
        if "no_suppression_reason" in meta:
            body["no_suppression_reason"] = meta["no_suppression_reason"]
        name = str(node["name"])
        if name in decls and not decls[name].draft:
            raise PublishError(
                f"{name} is declared both in {path.name} and in its model's config.meta: "
                "keep one declaration"
            )
        decls[name] = parse_declaration(name, body, f"{node['original_file_path']} meta")
    return list(decls.values())


def mart_nodes(manifest: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    nodes: dict[str, Mapping[str, Any]] = {}
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") == "model" and str(node.get("name", "")).startswith("mart_"):
            nodes[str(node["name"])] = node
    return nodes


def validate(
    decls: Sequence[MartDeclaration],
    manifest: Mapping[str, Any],
    db_columns: Mapping[str, Sequence[str]],
) -> Validation:
    """Check declarations against the manifest and the built tables.

    An error in a final declaration raises PublishError (nothing is published); a draft
    declaration (written before its mart landed) that does not fit is skipped with a warning.
    `db_columns`: mart name -> columns of the built table in the working database.
    """
    nodes = mart_nodes(manifest)
    result = Validation()
    for decl in decls:
        problems = _problems(decl, nodes, db_columns)
        if not problems:
            result.marts.append(decl)
        elif decl.draft:
            result.warnings.append(
                f"draft declaration of {decl.name} skipped (not published): " + "; ".join(problems)
            )
        else:
            raise PublishError(
                f"declaration of {decl.name} ({decl.origin}): " + "; ".join(problems)
            )
    declared = {d.name for d in result.marts}
    for name in sorted(set(nodes) - {d.name for d in decls}):
        result.warnings.append(
            f"{name} is a mart_ model without a publish declaration: it is NOT published "
            "(declare it in publish/published_marts.yml)"
        )
    for name in sorted({d.name for d in decls} - declared):
        if name in nodes and not any(d.name == name and d.draft for d in decls):
            result.warnings.append(f"{name} is not published")
    return result


def _problems(
    decl: MartDeclaration,
    nodes: Mapping[str, Mapping[str, Any]],
    db_columns: Mapping[str, Sequence[str]],
) -> list[str]:
    node = nodes.get(decl.name)
    if node is None:
        return [f"no dbt model named {decl.name} in the manifest"]
    problems: list[str] = []
    if node.get("schema") != MART_SCHEMA:
        problems.append(f"model is in schema {node.get('schema')!r}, not {MART_SCHEMA!r}")
    documented = {c.lower() for c in (node.get("columns") or {})}
    built = [c.lower() for c in db_columns.get(decl.name, [])]
    if not built:
        problems.append(f"table {MART_SCHEMA}.{decl.name} is not in the working database")
        return problems
    missing_doc = sorted(decl.named_columns() - documented)
    if missing_doc:
        problems.append(f"columns not in the model's YAML: {missing_doc}")
    missing_db = sorted(decl.named_columns() - set(built))
    if missing_db:
        problems.append(f"columns not in the built table: {missing_db}")
    unclassified = [c for c in built if c not in decl.classified() and c != "is_suppressed"]
    if unclassified:
        problems.append(
            "every column must be a key, a rule's count or value column, a public column "
            f"or excluded; unclassified: {unclassified}"
        )
    published = [c for c in built if c not in decl.exclude_columns]
    identifiers = [c for c in published if IDENTIFIER_NAME.search(c)]
    if identifiers:
        problems.append(f"identifier columns may never be published: {identifiers}")
    observed_public = [c for c in decl.public_columns if c.endswith("_observed")]
    if observed_public:
        problems.append(f"observed person counts cannot be public columns: {observed_public}")
    return problems
