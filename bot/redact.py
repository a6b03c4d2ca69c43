"""Credentials out of text: passwords in URLs and `password=…` pairs become `***`.

Used on every settings error and, through the log formatter (`bot.logs`), on every log line, so that
a `DATABASE_URL` with a password never reaches a terminal, a log file or a screenshot.
"""

from __future__ import annotations

import re

__all__ = ["redact"]

# scheme://user:password@host → scheme://user:***@host (the user name is kept: it helps diagnosis).
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s'\"]*:)[^\s'\"/]*@")
# libpq-style key=value strings and query parameters: password=…, pwd=…, secret=…
_PAIR = re.compile(r"(?P<head>\b(?:password|passwd|pwd|secret|client_secret)=)[^&;\s'\"]+", re.IGNORECASE)


def redact(text: str) -> str:
    return _PAIR.sub(r"\g<head>***", _URL_PASSWORD.sub(r"\g<head>***@", text))
