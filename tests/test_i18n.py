"""The stores of user-facing text — the bot's catalogue, the knowledge loader's and CLI's messages, the
Teams manifest's strings — all read by one loader: both languages for every key, the same placeholders,
no duplicate keys, every key used and every key used defined."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.i18n import Catalogue, CatalogueError, catalogue, language_of_locale
from knowledge.messages import messages
from manifest.content import AppText, command_lists
from tests.conftest import REPO


def _manifest_texts() -> Catalogue:
    return Catalogue.load(REPO / "manifest" / "texts")


STORES: dict[str, Callable[[], Catalogue]] = {
    "bot": catalogue,
    "knowledge": messages,
    "manifest": _manifest_texts,
}


@pytest.mark.parametrize("store", STORES)
def test_shipped_texts_load_and_are_complete(store: str):
    texts = STORES[store]().texts
    assert texts
    assert all(set(entry) == {"ja", "en"} and all(entry.values()) for entry in texts.values())


def test_inconsistent_catalogues_are_refused(tmp_path: Path):
    (tmp_path / "a.yaml").write_text('k:\n  ja: "{n}件"\n  en: "{count} items"\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match="placeholders"):
        Catalogue.load(tmp_path)
    (tmp_path / "a.yaml").write_text('k:\n  ja: "あ"\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match="exactly the texts"):
        Catalogue.load(tmp_path)
    (tmp_path / "a.yaml").write_text('k:\n  ja: "あ"\n  en: "a"\n', encoding="utf-8")
    (tmp_path / "b.yaml").write_text('k:\n  ja: "い"\n  en: "b"\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match="twice"):
        Catalogue.load(tmp_path)


def test_a_value_per_language_and_english_plural_endings_are_the_same_placeholder(tmp_path: Path):
    (tmp_path / "a.yaml").write_text(
        'k:\n  ja: "{what_ja} が {count} 件"\n  en: "{count} {what_en}{count_s}"\n', encoding="utf-8"
    )
    loaded = Catalogue.load(tmp_path)
    assert loaded.both("k", what_ja="行", what_en="line", count=2, count_s="s") == ("行 が 2 件", "2 lines")
    (tmp_path / "a.yaml").write_text('k:\n  ja: "{count_s}"\n  en: "{count}"\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match="placeholders"):  # plural endings are English only
        Catalogue.load(tmp_path)


def _knowledge_code() -> list[ast.Module]:
    return [ast.parse(path.read_text(encoding="utf-8")) for path in sorted((REPO / "knowledge").glob("*.py"))]


def _strings(modules: list[ast.Module]) -> set[str]:
    """Every string constant, and the constant parts of f-strings (`f"suggest-{verdict}"`)."""
    return {
        node.value
        for module in modules
        for node in ast.walk(module)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def _keys_named(modules: list[ast.Module], function: str, position: int) -> set[str]:
    """The constant string arguments at `position` of every call of `function` (or `self.function`)."""
    found = set()
    for module in modules:
        for node in ast.walk(module):
            if not isinstance(node, ast.Call) or len(node.args) <= position:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            argument = node.args[position]
            if name == function and isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.add(argument.value)
    return found


def test_every_knowledge_text_is_used_and_every_used_key_exists():
    modules = _knowledge_code()
    keys = set(messages().texts)
    used_codes = (
        _keys_named(modules, "render", 0)
        | _keys_named(modules, "_add", 1)
        | _keys_named(modules, "_problem", 4)
    )
    assert {f"problem.{code}" for code in used_codes} - keys == set(), "problem codes missing"
    assert {f"cli.{key}" for key in _keys_named(modules, "_say", 0)} - keys == set(), "CLI keys missing"
    # Keys chosen at run time are string constants somewhere (a decision's kind), or start with the
    # constant part of an f-string (`suggest-<verdict>`).
    strings = _strings(modules)
    prefixes = {literal for literal in strings if literal.endswith("-")}
    unused = {
        key
        for key in keys
        if (name := key.partition(".")[2]) not in strings and not name.startswith(tuple(prefixes))
    }
    assert unused == set(), "message keys nothing uses"


def test_every_manifest_text_is_used():
    keys = set(_manifest_texts().texts)
    used = {f"app.{field}" for field in AppText.__dataclass_fields__} | {
        f"command.{command.name}.{part}"
        for command_list in command_lists()
        for command in command_list.commands
        for part in ("title", "description", *(("sample_argument",) if command.sample_argument else ()))
    }
    assert keys == used


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("ja-JP", "ja"), ("ja", "ja"), ("en-US", "en"), ("zh-CN", "en"), (None, "ja"), ("", "ja")],
)
def test_language_of_locale(locale, expected):
    assert language_of_locale(locale) == expected
