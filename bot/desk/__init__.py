"""The ICT desk: its verbs, commands and thread replies, the outbox worker and delivery to Teams, and its
housekeeping. The tickets themselves, which the asker's side shares, are in `bot.tickets`."""
