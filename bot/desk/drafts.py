"""FAQ drafts from answered tickets, and their export as YAML in the knowledge format for editors.

An exported file is a knowledge file (`entries:` with `id`, `question`, `answer`, `alternates`,
`lang`, `updated`) that an editor reviews, edits and moves into `knowledge/faq/`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.desk.models import FaqDraft
from bot.private_files import write_private
from bot.storage.dialect import upsert_insert
from bot.storage.models import utcnow
from bot.tickets.actors import Actor
from bot.tickets.models import Ticket, TicketState

__all__ = ["DraftResult", "add_draft", "export_drafts"]


@dataclass(frozen=True, slots=True)
class DraftResult:
    draft: FaqDraft | None  # None: the ticket has no answer to draft from (not answered, or purged)
    created: bool


async def add_draft(
    session: AsyncSession,
    ticket_id: int,
    actor: Actor,
    *,
    question: str | None = None,
    now: datetime | None = None,
) -> DraftResult:
    """Store a draft from an answered or resolved ticket, once per ticket (a second click finds it).

    `question` is the editor-facing question if ICT staff rewrote it; the asker's own wording then
    becomes an alternate phrasing. One `INSERT … SELECT … ON CONFLICT DO NOTHING`: the ticket's
    state and texts are read by the statement that writes the draft.
    """
    now = now or utcnow()
    title = question.strip() if question and question.strip() else None
    source = select(
        Ticket.id,
        literal(title).label("question") if title else Ticket.question,
        Ticket.answer,
        literal([], FaqDraft.alternates.type).label("alternates"),
        Ticket.language,
        Ticket.category,
        literal(actor.aad_object_id).label("created_by"),
        literal(now, FaqDraft.created_at.type).label("created_at"),
    ).where(
        Ticket.id == ticket_id,
        Ticket.state.in_([TicketState.ANSWERED.value, TicketState.RESOLVED.value]),
        Ticket.answer.is_not(None),
        Ticket.question.is_not(None),
    )
    columns = [
        "ticket_id",
        "question",
        "answer",
        "alternates",
        "language",
        "category",
        "created_by",
        "created_at",
    ]
    statement = (
        upsert_insert(session, FaqDraft)
        .on_conflict_do_nothing(index_elements=[FaqDraft.ticket_id])
        .from_select(columns, source)
        .returning(FaqDraft.id)
    )
    draft_id = await session.scalar(statement)
    if draft_id is not None and title:
        # The asker's wording is worth keeping as an alternate phrasing of the rewritten question.
        wording = await session.scalar(select(Ticket.question).where(Ticket.id == ticket_id))
        if wording and wording.strip() != title:
            await session.execute(
                update(FaqDraft).where(FaqDraft.id == draft_id).values(alternates=[wording])
            )
    draft = await session.scalar(
        select(FaqDraft).where(FaqDraft.ticket_id == ticket_id).execution_options(populate_existing=True)
    )
    return DraftResult(draft, created=draft_id is not None)


class _Dumper(yaml.SafeDumper):
    """Multi-line text (Markdown answers) as literal blocks, so editors see it as written."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _entry(draft: FaqDraft, number: int) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": f"draft-ticket-{number}",
        "question": (draft.question or "").strip(),
        "answer": (draft.answer or "").strip() + "\n",
        "lang": draft.language,
        "updated": draft.created_at.date(),
    }
    alternates = [text.strip() for text in draft.alternates if text.strip()]
    if alternates:
        entry["alternates"] = alternates
    return entry


async def export_drafts(
    session: AsyncSession, directory: Path, *, everything: bool = False
) -> Sequence[Path]:
    """Write each draft not yet exported (or every draft) to `directory/draft-ticket-N.yaml`."""
    query = (
        select(FaqDraft, Ticket.number).join(Ticket, Ticket.id == FaqDraft.ticket_id).order_by(FaqDraft.id)
    )
    if not everything:
        query = query.where(FaqDraft.exported_at.is_(None))
    rows = (await session.execute(query)).all()
    files: dict[Path, str] = {}
    for draft, number in rows:
        if not (draft.question and draft.answer):
            continue  # purged by retention: nothing left to propose
        document: dict[str, Any] = {}
        if draft.category:
            document["category"] = draft.category
        document["entries"] = [_entry(draft, number)]
        header = f"# FAQ draft from ticket #{number}: review, edit, then move it into knowledge/faq/.\n"
        body = yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
        files[directory / f"draft-ticket-{number}.yaml"] = header + body
    await asyncio.to_thread(_write, directory, files)
    if rows:
        await session.execute(
            update(FaqDraft)
            .where(FaqDraft.id.in_([draft.id for draft, _ in rows]))
            .values(exported_at=utcnow())
        )
    return list(files)


def _write(directory: Path, files: dict[Path, str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        write_private(path, text)  # drafts quote what askers and staff wrote
