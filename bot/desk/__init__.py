"""The ICT desk: tickets, their state machine and audit trail, the outbox and the desk's housekeeping."""
