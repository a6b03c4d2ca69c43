"""docs/deploy.md keeps up with the package builder: every setting and command it reads is documented."""

from __future__ import annotations

import pytest

from manifest.content import command_lists
from manifest.settings import REPO_ROOT, ManifestSettings

DEPLOY_GUIDE = REPO_ROOT / "docs" / "deploy.md"


@pytest.mark.parametrize(
    "variable", [str(field.validation_alias) for field in ManifestSettings.model_fields.values()]
)
def test_every_package_setting_is_documented(variable: str) -> None:
    assert f"`{variable}`" in DEPLOY_GUIDE.read_text(encoding="utf-8")


def test_every_japanese_menu_command_is_named_in_the_guide() -> None:
    guide = DEPLOY_GUIDE.read_text(encoding="utf-8")
    for command_list in command_lists():
        for command in command_list.commands:
            assert command.text["ja"].title in guide
