"""Persistence: the database engine, the schema's migrations, bot state and conversation references."""
