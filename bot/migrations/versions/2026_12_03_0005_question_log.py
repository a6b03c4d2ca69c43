"""Question log: every question that reached the matcher and what followed; the key for askers' pseudonyms.

Revision ID: 20261203_0005
Revises: 20261203_0004
Create Date: 2026-12-03
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261203_0005"
down_revision: str | None = "20261203_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "question_log",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("offered", sa.JSON(), nullable=False),
        sa.Column("top_entry", sa.String(128), nullable=True),
        sa.Column("kb_version", sa.Integer(), nullable=False),
        sa.Column("kb_loaded_at", sa.String(40), nullable=True),
        sa.Column("asker_key", sa.String(64), nullable=False),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("vote", sa.String(16), nullable=True),
        sa.Column("voted_entry", sa.String(128), nullable=True),
        sa.Column("picked_entry", sa.String(128), nullable=True),
        sa.Column("picked_after", sa.String(16), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("followed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_question_log"),
    )
    op.create_index("ix_question_log_asked_at", "question_log", ["asked_at"])
    op.create_index("ix_question_log_asker_key", "question_log", ["asker_key"])
    key = op.create_table(
        "question_log_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_question_log_key"),
    )
    # A random key per install: pseudonyms cannot be recomputed from an Entra id without the database.
    op.bulk_insert(key, [{"id": 1, "secret": secrets.token_hex(32)}])


def downgrade() -> None:
    op.drop_table("question_log_key")
    op.drop_index("ix_question_log_asker_key", "question_log")
    op.drop_index("ix_question_log_asked_at", "question_log")
    op.drop_table("question_log")
