"""The ICT desk: its verbs, commands and thread replies, the outbox worker and delivery to Teams, its housekeeping."""
