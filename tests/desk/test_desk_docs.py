"""docs/desk.md keeps up with the code: every card verb, outbox kind, setting and command is in it."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.desk.verbs import DeskVerbs
from bot.tickets.models import OutboxKind
from bot.tickets.transitions import DeskPolicy
from tests.conftest import REPO

DOC = (REPO / "docs" / "desk.md").read_text(encoding="utf-8")
_DESK_PREFIXES = ("KOTAE_DESK_", "KOTAE_OUTBOX_", "KOTAE_RETENTION_")


def test_every_card_verb_is_documented() -> None:
    verbs = DeskVerbs(None, policy=DeskPolicy(timedelta(hours=1)), zone=ZoneInfo("Asia/Tokyo")).handlers()
    assert [verb for verb in verbs if f"| `{verb}` |" not in DOC] == []


def test_every_outbox_kind_is_documented() -> None:
    assert [kind for kind in OutboxKind if f"`{kind.value}`" not in DOC] == []


def test_every_desk_setting_is_documented() -> None:
    names = [str(field.validation_alias) for field in Settings.model_fields.values()]
    desk = [name for name in names if name.startswith(_DESK_PREFIXES)]
    assert desk
    assert [name for name in desk if f"| `{name}` |" not in DOC] == []


def test_commands_are_documented() -> None:
    for command in ("python -m bot drafts export DIR", "python -m bot export-person AAD_ID", "`tickets`"):
        assert command in DOC
