"""Kotae in Teams. Its floors lean only downwards: docs/architecture.md draws them, and the import-linter
contracts in pyproject.toml keep them."""
