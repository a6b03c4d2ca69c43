"""Operator commands: `python -m bot migrate [--to REVISION] | drafts export DIR | export-person AAD_ID |
insights --from DATE --to DATE --out DIR`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.asker.disclosure import export_asker_records
from bot.config import SettingsError, load_operator_settings
from bot.desk.disclosure import export_person
from bot.desk.drafts import export_drafts
from bot.i18n import LANGUAGES, Lang
from bot.knowhow.retention import export_knowhow
from bot.private_files import write_private
from bot.storage.engine import create_engine, create_session_factory
from bot.storage.migrate import current_revision, downgrade, revisions, upgrade
from bot.storage.references import ConversationReferences
from knowledge import KnowledgeError

_T = TypeVar("_T")


async def _migrate(down_to: str | None) -> int:
    """Upgrade to this release's head, or (`down_to`) undo the newer revisions down to that one."""
    known = revisions()
    if down_to is not None and down_to not in ("base", *known):
        print(f"unknown revision {down_to!r}: this release knows base, {', '.join(known)}", file=sys.stderr)
        return 2
    engine = create_engine(load_operator_settings().database_url)
    try:
        current = await current_revision(engine)
        if current is not None and current not in known:
            print(
                f"the database is at revision {current}, which this release does not know: a newer release "
                "made it. Run `python -m bot migrate --down-to <revision>` with that release, or restore the "
                "dump taken before the upgrade (docs/operations.md, 'Rolling back').",
                file=sys.stderr,
            )
            return 1
        if down_to is None:
            await upgrade(engine)
        else:
            await downgrade(engine, down_to)
        print(f"database at revision {await current_revision(engine)}")
    finally:
        await engine.dispose()
    return 0


async def _in_transaction(work: Callable[[AsyncSession], Awaitable[_T]]) -> _T:
    engine = create_engine(load_operator_settings().database_url)
    try:
        async with create_session_factory(engine).begin() as session:
            return await work(session)
    finally:
        await engine.dispose()


async def _drafts_export(directory: Path, everything: bool) -> int:
    written = await _in_transaction(lambda session: export_drafts(session, directory, everything=everything))
    for path in written:
        print(path)
    print(f"{len(written)} draft(s) written to {directory}", file=sys.stderr)
    return 0


async def _everything_about(session: AsyncSession, aad_object_id: str) -> dict[str, Any]:
    """Tickets and actions (desk), votes, picks and the language choice (asker), know-how profile,
    consent and helper requests with answers, and the stored conversation references (with the names
    Teams sent)."""
    return {
        **await export_person(session, aad_object_id),
        **await export_asker_records(session, aad_object_id),
        **await export_knowhow(session, aad_object_id),
        "conversation_references": await ConversationReferences().export_for_user(session, aad_object_id),
    }


def _export_person(aad_object_id: str, output: Path | None) -> int:
    data = asyncio.run(_in_transaction(lambda session: _everything_about(session, aad_object_id)))
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output is None:
        print(text)
    else:
        write_private(output, text + "\n")
        print(f"{len(data['tickets_asked'])} ticket(s) written to {output}", file=sys.stderr)
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from error


def _insights(first_day: date, last_day: date, out: Path, lang: Lang) -> int:
    if last_day < first_day:
        print(f"--to {last_day} is before --from {first_day}", file=sys.stderr)
        return 2
    from bot.insights.command import run_insights  # matplotlib is loaded for this command only

    try:
        written = asyncio.run(run_insights(load_operator_settings(), first_day, last_day, out, lang))
    except KnowledgeError as error:
        print(f"the knowledge base cannot be read (stale entries need it):\n{error}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Kotae operator commands")
    commands = parser.add_subparsers(dest="command", required=True)
    migrate = commands.add_parser("migrate", help="apply the database migrations (also done on start)")
    migrate.add_argument(
        "--down-to",
        metavar="REVISION",
        help="undo newer migrations down to REVISION (a revision id, or base): before going back to the "
        "release whose head that is; run it with the newer release, which has the way back",
    )
    drafts = commands.add_parser("drafts", help="FAQ drafts made from answered tickets")
    drafts_commands = drafts.add_subparsers(dest="drafts_command", required=True)
    export = drafts_commands.add_parser("export", help="write drafts as knowledge YAML for FAQ editors")
    export.add_argument("directory", type=Path, metavar="DIR")
    export.add_argument("--all", action="store_true", help="also drafts exported before")
    person = commands.add_parser("export-person", help="one person's tickets as JSON (disclosure requests)")
    person.add_argument("aad_object_id", metavar="AAD_ID", help="the person's Entra object id")
    person.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")
    insights = commands.add_parser("insights", help="the FAQ editors' report of a period (docs/insights.md)")
    insights.add_argument("--from", dest="first_day", type=_day, required=True, metavar="DATE")
    insights.add_argument("--to", dest="last_day", type=_day, required=True, metavar="DATE", help="included")
    insights.add_argument("--out", type=Path, required=True, metavar="DIR")
    insights.add_argument("--lang", choices=LANGUAGES, default="ja", help="the report's language")
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "migrate":
            return asyncio.run(_migrate(arguments.down_to))
        if arguments.command == "drafts":
            return asyncio.run(_drafts_export(arguments.directory, arguments.all))
        if arguments.command == "export-person":
            return _export_person(arguments.aad_object_id, arguments.output)
        if arguments.command == "insights":
            return _insights(arguments.first_day, arguments.last_day, arguments.out, arguments.lang)
    except SettingsError as error:
        print(f"invalid settings\n{error}", file=sys.stderr)
        return 2
    return 1


if __name__ == "__main__":
    sys.exit(main())
