"""Card data: what a click (`Action.Execute`) carries back, checked like any other input.

Every room declares the data of each of its verbs as a `CardData` model and reads a click only through
`parse`: a card from an older version, a forged click or a truncated payload does not validate, and the
room answers it politely (the asker's side: "out of date"; the desk: "that did not look right").
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

__all__ = ["CardData", "Int32", "OptionalText", "parse"]


class CardData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


def _not_a_bool(value: Any) -> Any:
    # JSON true is not the number 1 here, whatever Python's bool is.
    if isinstance(value, bool):
        raise ValueError("a number, not true/false")
    return value


def _stripped_or_none(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


# Ids, numbers and versions are 32-bit integer columns (PostgreSQL `integer`): larger is not ours.
Int32 = Annotated[int, BeforeValidator(_not_a_bool), Field(ge=0, le=2**31 - 1)]
# A card's free-text input: stripped; empty, missing or not text at all reads as no text.
OptionalText = Annotated[str | None, BeforeValidator(_stripped_or_none)]

_Data = TypeVar("_Data", bound=CardData)


def parse(model: type[_Data], data: dict[str, Any]) -> _Data | None:
    """`data` as `model`, or None when it does not fit (an old, truncated or forged card)."""
    try:
        return model.model_validate(data)
    except ValidationError:
        return None
