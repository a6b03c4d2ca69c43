"""Operator commands: `python -m bot migrate`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.config import SettingsError, load_settings
from bot.storage.engine import create_engine
from bot.storage.migrate import current_revision, upgrade


async def _migrate() -> int:
    settings = load_settings()
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        print(f"database at revision {await current_revision(engine)}")
    finally:
        await engine.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Kotae operator commands")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply the database migrations (also done on start)")
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "migrate":
            return asyncio.run(_migrate())
    except SettingsError as error:
        print(f"invalid settings\n{error}", file=sys.stderr)
        return 2
    return 1


if __name__ == "__main__":
    sys.exit(main())
