"""The catalogue: both languages for every key, the same placeholders, no duplicate keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.i18n import Catalogue, CatalogueError, catalogue, language_of_locale


def test_shipped_catalogue_loads_and_is_complete():
    texts = catalogue().texts
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


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("ja-JP", "ja"), ("ja", "ja"), ("en-US", "en"), ("zh-CN", "en"), (None, "ja"), ("", "ja")],
)
def test_language_of_locale(locale, expected):
    assert language_of_locale(locale) == expected
