"""Persistence: the database engine, the schema's migrations, conversation references, installations and
language preferences."""
