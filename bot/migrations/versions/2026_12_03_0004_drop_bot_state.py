"""Drop bot_state: botbuilder `Storage` was never used, the asker flow is stateless by design (#13).

Revision ID: 20261203_0004
Revises: 20261126_0003
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261203_0004"
down_revision: str | None = "20261126_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("bot_state")


def downgrade() -> None:
    # The table as 20261126_0001 made it, so that a rolled-back release finds what it expects.
    op.create_table(
        "bot_state",
        sa.Column("key", sa.String(1024), nullable=False),
        sa.Column("e_tag", sa.String(64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_bot_state"),
    )
