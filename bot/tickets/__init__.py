"""The ticket hand-off that the asker's side and the ICT desk share: the tickets' tables, the state
machine and its audit trail, opening a ticket, the outbox rows a change writes, and reads of tickets."""
