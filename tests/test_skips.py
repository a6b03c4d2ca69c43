"""On a fresh clone (no PostgreSQL, no JSON schemas) each missing thing is one line of the skip summary."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.conftest import REPO


def test_each_missing_prerequisite_is_one_skip_line(tmp_path) -> None:
    environment = {
        **{key: value for key, value in os.environ.items() if key not in ("KOTAE_TEST_POSTGRES_URL",)},
        "KOTAE_SCHEMAS_DIR": str(tmp_path / "no-schemas"),
    }
    # Files with several tests behind each prerequisite: PostgreSQL (outbox), the card and manifest schemas.
    chosen = [
        "tests/desk/test_outbox.py",
        "tests/asker/test_cards.py",
        "tests/manifest/test_manifest_package.py",
    ]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *chosen],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env=environment,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    counts = [int(count) for count in re.findall(r"^SKIPPED \[(\d+)\]", result.stdout, flags=re.MULTILINE)]
    assert len(lines) == 2, result.stdout
    assert all(count > 1 for count in counts)
    assert "KOTAE_TEST_POSTGRES_URL" in lines[0] + lines[1]
    assert "KOTAE_SCHEMAS_DIR" in lines[0] + lines[1]
    assert "bash .ci/run" in lines[0]
