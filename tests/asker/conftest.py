"""Fixtures for the asker's conversations: a chat of Alice with the running bot."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.activities import Person, Place, TeamsActivities
from devtools.emulator import ConnectorEmulator
from tests.asker.conversation import Chat
from tests.harness import BotUnderTest


@pytest.fixture
def chat(
    bot: BotUnderTest, teams: TeamsActivities, emulator: ConnectorEmulator, alice: Person, schemas_dir: Path
) -> Chat:
    return Chat(bot, teams, emulator, alice, Place.personal(alice), schemas_dir)
