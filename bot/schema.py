"""Every table Kotae has, gathered for Alembic's autogenerate and the schema-drift test.

A feature that adds tables imports its models module here.
"""

# Imported for their side effect: each registers its tables on Base.metadata.
import bot.asker.models
import bot.desk.models
import bot.knowhow.models
import bot.tickets.models  # noqa: F401
from bot.storage.models import Base

metadata = Base.metadata

__all__ = ["metadata"]
