"""Docs that must not drift from the code: every setting is in the README's table."""

from __future__ import annotations

import re

from bot.config import Settings
from tests.conftest import REPO


def test_every_setting_is_documented_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Za-z_]+)` \|", readme, flags=re.MULTILINE))
    variables = {str(field.validation_alias) for field in Settings.model_fields.values()}
    assert variables - documented == set(), "settings missing from README.md's table"
    assert documented - variables == set(), "README.md documents settings that do not exist"
