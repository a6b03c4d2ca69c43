"""The JSON Schemas that editors' YAML extensions use agree with the loader."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from .conftest import FIXTURE_KB

SCHEMAS = Path(__file__).parents[2] / "knowledge" / "schema"


class _TextDates(yaml.SafeLoader):
    """Reads dates as the strings an editor's YAML extension sees."""


_TextDates.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def validator(name: str) -> jsonschema.Draft7Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def read(text: str) -> object:
    return yaml.load(text, Loader=_TextDates)  # a SafeLoader subclass: safe


@pytest.mark.parametrize("name", ["network.yaml", "office.yaml", "english.yaml"])
def test_fixture_files_match_the_schema(name: str) -> None:
    document = read((FIXTURE_KB / name).read_text(encoding="utf-8"))
    assert list(validator("kotae-faq.json").iter_errors(document)) == []


def test_synonyms_match_their_schema() -> None:
    document = read((FIXTURE_KB / "synonyms.yaml").read_text(encoding="utf-8"))
    assert list(validator("kotae-synonyms.json").iter_errors(document)) == []
    assert list(validator("kotae-synonyms.json").iter_errors([["ひとつ"]]))


@pytest.mark.parametrize(
    "entry",
    [
        {"id": "a", "question": "q"},  # no answer
        {"id": "A_1", "question": "q", "answer": "a"},
        {"id": "a", "question": "q", "answer": "a", "colour": "red"},
        {"id": "a", "question": "q", "answer": "a", "lang": "fr"},
        {"id": "a", "question": "q", "answer": "a", "updated": "yesterday"},
        {"id": "a", "question": "q", "answer": "a", "links": [{"title": "t", "url": "x/y"}]},
        {"id": "a", "question": "q", "answer": "  "},
    ],
)
def test_schema_rejects_what_the_loader_rejects(entry: dict) -> None:
    assert list(validator("kotae-faq.json").iter_errors({"entries": [entry]}))


def test_schema_accepts_unc_and_intranet_links() -> None:
    entry = {
        "id": "a",
        "question": "q",
        "answer": "a",
        "links": [{"title": "t", "url": "\\\\fs01\\share"}, {"title": "t", "url": "http://portal.intra/x"}],
    }
    assert list(validator("kotae-faq.json").iter_errors({"entries": [entry]})) == []


SHIPPED = sorted((SCHEMAS.parent / "faq").glob("*.yaml"))


@pytest.mark.skipif(not SHIPPED, reason="knowledge/faq/ is not in this checkout")
def test_shipped_files_match_the_schema() -> None:
    for path in SHIPPED:
        document = read(path.read_text(encoding="utf-8-sig"))
        name = "kotae-synonyms.json" if path.name == "synonyms.yaml" else "kotae-faq.json"
        errors = [error.message for error in validator(name).iter_errors(document)]
        assert errors == [], path
