"""Kotae, the Teams bot: settings, the web layer, the asker and desk features, cards and storage."""
