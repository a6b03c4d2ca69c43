"""Sliding-window send limits per conversation, kept below Teams' own (7 per 1 s, 8 per 2 s, 60 per 30 s).

In-process: each replica keeps its own windows, so N replicas sending into one conversation can reach
N times these limits; Teams then answers 429 and the outbox honours its Retry-After.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

__all__ = ["TEAMS_CONVERSATION_LIMITS", "ConversationRateLimiter"]

# (window in seconds, sends allowed in it): one below each of Teams' per-conversation limits.
TEAMS_CONVERSATION_LIMITS: tuple[tuple[float, int], ...] = ((1.0, 6), (2.0, 7), (30.0, 59))


class ConversationRateLimiter:
    def __init__(self, limits: Sequence[tuple[float, int]] = TEAMS_CONVERSATION_LIMITS) -> None:
        if not limits or any(window <= 0 or count < 1 for window, count in limits):
            raise ValueError("limits must be (window seconds > 0, count >= 1) pairs")
        self._limits = tuple(limits)
        self._longest = max(window for window, _ in limits)
        self._sent: dict[str, deque[float]] = {}

    def wait(self, conversation_id: str, now: float) -> float:
        """Seconds until one more send into the conversation stays within every window (0: send now)."""
        sent = self._sent.get(conversation_id)
        if not sent:
            return 0.0
        while sent and sent[0] <= now - self._longest:
            sent.popleft()
        if not sent:
            del self._sent[conversation_id]
            return 0.0
        wait = 0.0
        for window, count in self._limits:
            in_window = [at for at in sent if at > now - window]
            if len(in_window) >= count:
                # The oldest send that must leave the window before another one fits.
                wait = max(wait, in_window[-count] + window - now)
        return wait

    def record(self, conversation_id: str, now: float) -> None:
        self._sent.setdefault(conversation_id, deque()).append(now)
