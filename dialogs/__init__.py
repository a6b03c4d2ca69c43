"""The asker's conversation: a question becomes an answer, a "did you mean", or an offer to ask ICT staff.

Nothing here knows Teams cards or the database: `bot/` hands in how to reach the current matcher
and renders the outcomes. Dependencies point one way: bot/ → dialogs/ → knowledge/.

    flow = AskerFlow(lambda: live.matcher)
    outcome = flow.respond("wifiつながんない", "ja")      # Answer(entry wifi-cannot-connect, …)
"""

from dialogs.asker import MAX_QUESTION_CHARS, AskerFlow
from dialogs.outcomes import (
    Answer,
    Attachment,
    AttachmentOffer,
    Clarify,
    Escalate,
    Outcome,
    Prompt,
    SmallTalkReply,
)
from dialogs.smalltalk import SmallTalk, small_talk

__all__ = [
    "MAX_QUESTION_CHARS",
    "Answer",
    "AskerFlow",
    "Attachment",
    "AttachmentOffer",
    "Clarify",
    "Escalate",
    "Outcome",
    "Prompt",
    "SmallTalk",
    "SmallTalkReply",
    "small_talk",
]
