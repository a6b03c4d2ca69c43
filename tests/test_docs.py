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


def test_every_command_in_the_readme_works_from_a_fresh_clone():
    """Bare `python -m …` fails outside the virtual environment: the README (and the editors' guide
    it links) say `.venv/bin/python` or a make target, and every make target they name exists."""
    readme = "".join(
        (REPO / name).read_text(encoding="utf-8") for name in ("README.md", "knowledge/faq/README.md")
    )
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    bare = [
        line
        for line in re.findall(r"(?<![/\w])python3? -m [\w.]+[^`\n]*", readme)
        if not line.startswith("python -m aiohttp.web")  # App Service's start command, run by App Service
    ]
    assert bare == []
    targets = set(re.findall(r"^([\w-]+):", makefile, flags=re.MULTILINE))
    named = set(re.findall(r"(?:`|^)make ([a-z][\w-]*)", readme, flags=re.MULTILINE))
    assert named - targets == set()


def test_every_benchmark_target_passes_args_on():
    """`make bench-startup ARGS="--port N"`: the ports (and every other option) settable through make."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipes = re.findall(r"^(bench-[\w-]+|calibrate):.*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE)
    assert {name for name, _ in recipes} >= {
        "bench-startup",
        "bench-load",
        "bench-scale",
        "bench-localgovfaq",
    }
    for name, recipe in recipes:
        assert all(line.endswith("$(ARGS)") for line in recipe.strip().splitlines()), name
