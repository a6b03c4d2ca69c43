"""Every table Kotae has, gathered for Alembic's autogenerate and the schema-drift test.

A feature that adds tables imports its models module here.
"""

import bot.desk.models  # noqa: F401  (registers the desk's tables on Base.metadata)
from bot.storage.models import Base

metadata = Base.metadata

__all__ = ["metadata"]
