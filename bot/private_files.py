"""Files with people's data that operator commands write: readable by the bot's account only."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["write_private"]


def write_private(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` with mode 0600, whatever the umask or the file's mode before."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        if hasattr(os, "fchmod"):  # an existing file keeps its mode through os.open
            os.fchmod(file.fileno(), 0o600)
        file.write(text)
