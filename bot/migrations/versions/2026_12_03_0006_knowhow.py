"""Colleagues' know-how (ココダッタラ): profiles, topics, consent, helper requests; ticket kinds (proposals).

Revision ID: 20261203_0006
Revises: 20261203_0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261203_0006"
down_revision: str | None = "20261203_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "knowhow_profiles",
        sa.Column("aad_object_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(256), nullable=True),
        sa.Column("tenant_id", sa.String(64), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("team_ids", sa.JSON(), nullable=False),
        sa.Column("helped_count", sa.Integer(), nullable=False),
        sa.Column("last_asked_at", _WHEN, nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("aad_object_id", name="pk_knowhow_profiles"),
    )
    op.create_table(
        "knowhow_topics",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("aad_object_id", sa.String(64), nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["aad_object_id"],
            ["knowhow_profiles.aad_object_id"],
            name="fk_knowhow_topics_aad_object_id_knowhow_profiles",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_knowhow_topics"),
        sa.UniqueConstraint("aad_object_id", "key", name="uq_knowhow_topics_owner_key"),
    )
    op.create_index("ix_knowhow_topics_aad_object_id", "knowhow_topics", ["aad_object_id"])
    op.create_table(
        "knowhow_consents",
        sa.Column("aad_object_id", sa.String(64), nullable=False),
        sa.Column("share", sa.Boolean(), nullable=False),
        sa.Column("show_name", sa.Boolean(), nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("aad_object_id", name="pk_knowhow_consents"),
    )
    op.create_table(
        "knowhow_questions",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("show_name", sa.Boolean(), nullable=False),
        sa.Column("answered_request_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", _WHEN, nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name="fk_knowhow_questions_ticket_id_tickets"),
        sa.PrimaryKeyConstraint("ticket_id", name="pk_knowhow_questions"),
    )
    op.create_table(
        "knowhow_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("helper_aad_object_id", sa.String(64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("topic", sa.String(64), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("responded_at", _WHEN, nullable=True),
        sa.CheckConstraint(
            "state IN ('sent', 'answered', 'unknown', 'busy', 'late')", name="ck_knowhow_requests_state"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["knowhow_questions.ticket_id"],
            name="fk_knowhow_requests_ticket_id_knowhow_questions",
        ),
        sa.ForeignKeyConstraint(
            ["helper_aad_object_id"],
            ["knowhow_profiles.aad_object_id"],
            name="fk_knowhow_requests_helper_aad_object_id_knowhow_profiles",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_knowhow_requests"),
        sa.UniqueConstraint("ticket_id", "helper_aad_object_id", name="uq_knowhow_requests_ticket_helper"),
    )
    op.create_index("ix_knowhow_requests_ticket_id", "knowhow_requests", ["ticket_id"])
    op.create_index("ix_knowhow_requests_helper_aad_object_id", "knowhow_requests", ["helper_aad_object_id"])
    op.create_index("ix_knowhow_requests_created_at", "knowhow_requests", ["created_at"])
    # A proposal (`提案` / `idea`) is a ticket of its own kind: not an unanswered question.
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(16), nullable=False, server_default=sa.text("'question'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("kind")
    op.drop_index("ix_knowhow_requests_created_at", "knowhow_requests")
    op.drop_index("ix_knowhow_requests_helper_aad_object_id", "knowhow_requests")
    op.drop_index("ix_knowhow_requests_ticket_id", "knowhow_requests")
    op.drop_table("knowhow_requests")
    op.drop_table("knowhow_questions")
    op.drop_table("knowhow_consents")
    op.drop_index("ix_knowhow_topics_aad_object_id", "knowhow_topics")
    op.drop_table("knowhow_topics")
    op.drop_table("knowhow_profiles")
