"""The layers between packages are import-linter's contracts (pyproject.toml, `make lint`, CI); app.py is a
module, which import-linter cannot take as a root, so its share is checked here."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_the_composition_root_loads_no_developer_tools() -> None:
    # A fresh interpreter: this one has devtools loaded already by the tests' fixtures.
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, app; print(sorted(m for m in sys.modules if m.startswith('devtools')))",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert loaded.stdout.strip() == "[]"
