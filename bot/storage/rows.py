"""How many rows a statement changed."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result

__all__ = ["changed_rows"]


def changed_rows(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE changed. `AsyncSession.execute` is typed as returning `Result`, but for
    those statements it returns a `CursorResult`, the only kind that knows the count."""
    return cast(CursorResult[Any], result).rowcount
