"""Adaptive Card builders: small pure functions returning card dicts (Adaptive Card 1.5).

Text comes only from the catalogue. Each builder is validated against the 1.5 schema in the tests.
"""
