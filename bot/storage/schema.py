"""Every table Kotae has, gathered for Alembic's autogenerate and the schema-drift test.

A feature that adds tables imports its models module here.
"""

from bot.storage.models import Base

metadata = Base.metadata

__all__ = ["metadata"]
