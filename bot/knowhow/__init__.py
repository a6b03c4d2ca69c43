"""ココダッタラ: colleagues' know-how. Profiles, matching escalated questions to helpers, their answers."""
