"""Who the chat plays: the personas and the languages of their Teams client."""

from __future__ import annotations

from devtools.activities import Person

STAFF = Person("山田 花子", "5aff0000-0000-4000-8000-000000000001")
ICT_STAFF = Person("佐藤 健", "1c700000-0000-4000-8000-000000000002")
HELPER = Person("田中 詳子", "4e190000-0000-4000-8000-000000000003")
PERSONAS = {"staff": STAFF, "helper": HELPER, "ict": ICT_STAFF}
# The personas who talk to Kotae in a 1:1 chat of their own.
PERSONAL = {"staff": STAFF, "helper": HELPER}
LOCALES = {"ja": "ja-JP", "en": "en-US"}
