"""ICT desk: tickets, their audit trail, the outbox, learned ICT channels and FAQ drafts.

Revision ID: 20261126_0002
Revises: 20261126_0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261126_0002"
down_revision: str | None = "20261126_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PENDING = sa.text("state = 'pending'")


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "ict_channels",
        sa.Column("channel_id", sa.String(256), nullable=False),
        sa.Column("team_id", sa.String(256), nullable=True),
        sa.Column("tenant_id", sa.String(64), nullable=True),
        sa.Column("service_url", sa.String(512), nullable=False),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("channel_id", name="pk_ict_channels"),
    )
    counters = op.create_table(
        "ticket_counters",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_ticket_counters"),
    )
    op.bulk_insert(counters, [{"name": "tickets", "value": 0}])
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=True),
        sa.Column("asker_id", sa.String(256), nullable=False),
        sa.Column("asker_aad_object_id", sa.String(64), nullable=False),
        sa.Column("asker_name", sa.String(256), nullable=True),
        sa.Column("asker_conversation_id", sa.String(512), nullable=False),
        sa.Column("asker_conversation_type", sa.String(32), nullable=False),
        sa.Column("asker_reference", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("category", sa.String(128), nullable=True),
        sa.Column("claimer_id", sa.String(256), nullable=True),
        sa.Column("claimer_aad_object_id", sa.String(64), nullable=True),
        sa.Column("claimer_name", sa.String(256), nullable=True),
        _timestamp("claimed_at", nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        _timestamp("answered_at", nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        _timestamp("resolved_at", nullable=True),
        _timestamp("withdrawn_at", nullable=True),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("channel_id", sa.String(256), nullable=True),
        sa.Column("thread_conversation_id", sa.String(512), nullable=True),
        sa.Column("thread_root_id", sa.String(128), nullable=True),
        sa.Column("card_activity_id", sa.String(128), nullable=True),
        sa.Column("reminder_count", sa.Integer(), nullable=False),
        _timestamp("last_reminded_at", nullable=True),
        _timestamp("purged_at", nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.CheckConstraint(
            "state IN ('open', 'claimed', 'answered', 'resolved', 'withdrawn')", name="ck_tickets_state"
        ),
        sa.ForeignKeyConstraint(["duplicate_of"], ["tickets.id"], name="fk_tickets_duplicate_of_tickets"),
        sa.PrimaryKeyConstraint("id", name="pk_tickets"),
        sa.UniqueConstraint("idempotency_key", name="uq_tickets_idempotency_key"),
        sa.UniqueConstraint("number", name="uq_tickets_number"),
    )
    op.create_index("ix_tickets_asker_aad_object_id", "tickets", ["asker_aad_object_id"])
    op.create_index("ix_tickets_duplicate_of", "tickets", ["duplicate_of"])
    op.create_index("ix_tickets_state_created_at", "tickets", ["state", "created_at"])
    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_state", sa.String(16), nullable=True),
        sa.Column("to_state", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("actor_name", sa.String(256), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _timestamp("at"),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name="fk_ticket_events_ticket_id_tickets"),
        sa.PrimaryKeyConstraint("id", name="pk_ticket_events"),
    )
    op.create_index("ix_ticket_events_ticket_id", "ticket_events", ["ticket_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("target_conversation_id", sa.String(512), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(256), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _timestamp("next_attempt_at"),
        sa.Column("last_error", sa.String(512), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("locked_by", sa.String(128), nullable=True),
        _timestamp("locked_until", nullable=True),
        _timestamp("created_at"),
        _timestamp("sent_at", nullable=True),
        sa.CheckConstraint("state IN ('pending', 'sent', 'failed')", name="ck_outbox_state"),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name="fk_outbox_ticket_id_tickets"),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
    )
    op.create_index(
        "ix_outbox_due",
        "outbox",
        ["next_attempt_at", "id"],
        sqlite_where=_PENDING,
        postgresql_where=_PENDING,
    )
    op.create_index("ix_outbox_ticket_id", "outbox", ["ticket_id"])
    op.create_table(
        "faq_drafts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("alternates", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("category", sa.String(128), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        _timestamp("created_at"),
        _timestamp("exported_at", nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name="fk_faq_drafts_ticket_id_tickets"),
        sa.PrimaryKeyConstraint("id", name="pk_faq_drafts"),
        sa.UniqueConstraint("ticket_id", name="uq_faq_drafts_ticket_id"),
    )


def downgrade() -> None:
    op.drop_table("faq_drafts")
    op.drop_index("ix_outbox_ticket_id", "outbox")
    op.drop_index("ix_outbox_due", "outbox")
    op.drop_table("outbox")
    op.drop_index("ix_ticket_events_ticket_id", "ticket_events")
    op.drop_table("ticket_events")
    op.drop_index("ix_tickets_state_created_at", "tickets")
    op.drop_index("ix_tickets_duplicate_of", "tickets")
    op.drop_index("ix_tickets_asker_aad_object_id", "tickets")
    op.drop_table("tickets")
    op.drop_table("ticket_counters")
    op.drop_table("ict_channels")
