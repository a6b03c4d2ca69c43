"""The asker's side in Teams: the handlers for questions, commands and card clicks, and their tables."""
