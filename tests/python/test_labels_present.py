"""Every label group of every mart is guarded by the generic test labels_present.

The data test (tests/generic/test_labels_present.sql) runs in every build: wherever a label's
code is non-null, its nl, fr and en labels are non-null. This module checks, without a build,
that no mart's label columns escape it: a mart added later with labels but without the test
fails here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("nl", "fr", "en")
LABEL_COLUMN = re.compile(r"(?P<prefix>(?:\w+_)?label_)(?P<language>[a-z]{2})")


def mart_models() -> dict[str, dict[str, Any]]:
    models: dict[str, dict[str, Any]] = {}
    for path in sorted((ROOT / "models" / "marts").rglob("_*__models.yml")):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models") or []:
            models[model["name"]] = model
    return models


def label_groups(model: dict[str, Any]) -> dict[str, set[str]]:
    """Label prefix -> languages present, from the model's declared columns."""
    groups: dict[str, set[str]] = {}
    for column in model.get("columns") or []:
        found = LABEL_COLUMN.fullmatch(column["name"])
        if found:
            groups.setdefault(found["prefix"], set()).add(found["language"])
    return groups


def labels_present_tests(model: dict[str, Any]) -> dict[str, list[str]]:
    """Label prefix -> code columns, from the model's labels_present tests."""
    tests: dict[str, list[str]] = {}
    for test in model.get("data_tests") or []:
        if isinstance(test, dict) and "labels_present" in test:
            arguments = test["labels_present"]["arguments"]
            tests[arguments.get("label_prefix", "label_")] = list(arguments["code_columns"])
    return tests


def test_every_label_group_of_every_mart_is_tested() -> None:
    models = mart_models()
    labelled = {name: label_groups(model) for name, model in models.items()}
    labelled = {name: groups for name, groups in labelled.items() if groups}
    # the marts of the study's figures carry labels: the scan finds them
    assert {"mart_elp_care_transitions", "mart_elp_usage", "mart_elp_services_mix"} <= set(labelled)
    problems = []
    for name, groups in sorted(labelled.items()):
        tested = labels_present_tests(models[name])
        columns = {column["name"] for column in models[name].get("columns") or []}
        for prefix, languages in sorted(groups.items()):
            if languages != set(LANGUAGES):
                problems.append(f"{name}: {prefix}* has {sorted(languages)}, not nl, fr and en")
            if prefix not in tested:
                problems.append(f"{name}: {prefix}* has no labels_present test")
            elif not tested[prefix] or not set(tested[prefix]) <= columns:
                problems.append(f"{name}: labels_present of {prefix}* names {tested[prefix]}")
        for prefix in set(tested) - set(groups):
            problems.append(f"{name}: labels_present of {prefix}* but no such label columns")
    assert problems == []


def test_the_scan_reads_label_groups_and_their_tests() -> None:
    """The helpers on a made-up model: a mart with two label groups and one test is caught."""
    model = {
        "columns": [{"name": n} for n in ("care_type", "label_nl", "label_fr", "label_en")]
        + [{"name": f"area_label_{language}"} for language in LANGUAGES]
        + [{"name": "labelled_rows"}],
        "data_tests": [
            {"labels_present": {"arguments": {"code_columns": ["care_type"]}}},
            {"unique_combination": {"arguments": {"columns": ["care_type"]}}},
        ],
    }
    assert label_groups(model) == {"label_": set(LANGUAGES), "area_label_": set(LANGUAGES)}
    assert labels_present_tests(model) == {"label_": ["care_type"]}
