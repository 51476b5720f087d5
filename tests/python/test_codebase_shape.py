"""The shape a newcomer can rely on (docs/architecture.md): small models, every macro
documented with its arguments, no ref or source hidden in a macro, one calling style, staging
without grain changes. Read from the files; no build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MAX_MODEL_LINES = 150

MACRO_DEFINITION = re.compile(r"\{%-?\s*(macro|test)\s+(\w+)\s*\(([^)]*)\)", re.S)
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)


def sql_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.sql"))


def without_comments(text: str) -> str:
    text = JINJA_COMMENT.sub("", text)
    return "\n".join(line.split("--")[0] for line in text.splitlines())


def macro_definitions() -> dict[str, list[str]]:
    """Macro name -> argument names, for macros/ and the generic tests (`test_<name>`)."""
    found: dict[str, list[str]] = {}
    for path in sql_files("macros", "tests/generic"):
        for kind, name, signature in MACRO_DEFINITION.findall(path.read_text()):
            macro = f"test_{name}" if kind == "test" else name
            assert macro not in found, f"{macro} is defined twice ({path})"
            found[macro] = [
                arg.split("=")[0].strip() for arg in signature.split(",") if arg.strip()
            ]
    return found


def test_no_model_is_longer_than_150_lines() -> None:
    long_models = {
        str(p.relative_to(ROOT)): n
        for p in sql_files("models")
        if (n := len(p.read_text().splitlines())) > MAX_MODEL_LINES
    }
    assert long_models == {}


def test_every_macro_is_documented_with_its_arguments() -> None:
    documented = yaml.safe_load((ROOT / "macros" / "_macros.yml").read_text())["macros"]
    entries = {entry["name"]: entry for entry in documented}
    definitions = macro_definitions()
    assert len(definitions) >= 40
    assert sorted(set(definitions) - set(entries)) == [], "macros without an entry"
    assert sorted(set(entries) - set(definitions)) == [], "entries of macros that do not exist"
    for name, arguments in definitions.items():
        entry = entries[name]
        assert len(entry.get("description", "").split()) >= 5, f"{name}: no description"
        named = [argument["name"] for argument in entry.get("arguments", [])]
        assert named == arguments, f"{name}: documented arguments {named} != {arguments}"
        for argument in entry.get("arguments", []):
            assert argument.get("description"), f"{name}.{argument['name']}: no description"


def test_refs_and_sources_are_written_in_the_models() -> None:
    hidden = [
        str(p.relative_to(ROOT))
        for p in sql_files("macros")
        if re.search(r"\b(ref|source)\s*\(", without_comments(p.read_text()))
    ]
    assert hidden == []


def test_macros_are_called_without_the_project_prefix() -> None:
    prefixed = [
        f"{p.relative_to(ROOT)}: {match}"
        for p in sql_files("models", "macros", "tests", "analyses")
        for match in re.findall(r"\belp_warehouse\.\w+\s*\(", p.read_text())
    ]
    assert prefixed == []


STAGING_VIEWS = [
    p for p in sql_files("models/staging") if p.parent.name in ("staging", "quarantine")
]


@pytest.mark.parametrize("path", STAGING_VIEWS, ids=lambda p: p.name)
def test_staging_keeps_the_grain_of_its_input(path: Path) -> None:
    """Staging renames, casts and validates: aggregations and unions belong to intermediate
    models named for them (int_claims_netted, int_affiliation_spells, ...)."""
    code = without_comments(path.read_text()).lower()
    assert not re.search(r"\bgroup\s+by\b|\bunion\b|\bdistinct\b", code), path.name


def test_staging_views_are_found() -> None:
    assert len(STAGING_VIEWS) >= 11
