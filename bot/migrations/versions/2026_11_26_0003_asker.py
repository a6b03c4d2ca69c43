"""Asker: feedback votes, suggested alternates ("did you mean" picks), language preferences.

Revision ID: 20261126_0003
Revises: 20261126_0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261126_0003"
down_revision: str | None = "20261126_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback_votes",
        sa.Column("answer_id", sa.String(64), nullable=False),
        sa.Column("user_aad_object_id", sa.String(64), nullable=False),
        sa.Column("query", sa.Text(), nullable=True),
        sa.Column("entry_id", sa.String(128), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("vote", sa.String(16), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("answer_id", "user_aad_object_id", name="pk_feedback_votes"),
    )
    op.create_index("ix_feedback_votes_entry_id", "feedback_votes", ["entry_id"])
    op.create_table(
        "suggested_alternates",
        sa.Column("card_id", sa.String(64), nullable=False),
        sa.Column("query", sa.Text(), nullable=True),
        sa.Column("entry_id", sa.String(128), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("user_aad_object_id", sa.String(64), nullable=False),
        sa.Column("picked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("card_id", name="pk_suggested_alternates"),
    )
    op.create_index("ix_suggested_alternates_entry_id", "suggested_alternates", ["entry_id"])
    op.create_table(
        "language_preferences",
        sa.Column("user_aad_object_id", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_aad_object_id", name="pk_language_preferences"),
    )


def downgrade() -> None:
    op.drop_table("language_preferences")
    op.drop_index("ix_suggested_alternates_entry_id", "suggested_alternates")
    op.drop_table("suggested_alternates")
    op.drop_index("ix_feedback_votes_entry_id", "feedback_votes")
    op.drop_table("feedback_votes")
