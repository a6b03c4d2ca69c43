"""Personal data out of a question before it is logged: e-mail addresses, phone numbers, 12-digit
individual numbers (マイナンバー) and staff numbers (a pattern the municipality sets) become markers.

Masking happens at write time, so the unmasked text never reaches the database.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["QuestionMasker"]

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 12 digits, alone or grouped 4-4-4 (the individual number's printed form).
_INDIVIDUAL_NUMBER = re.compile(r"(?<!\d)\d{4}[- ]?\d{4}[- ]?\d{4}(?!\d)")
# Phone numbers: 0AB-CDE-FGHIJ style (fixed lines and 070/080/090 mobiles, with or without dashes or
# brackets), +81 forms, and extensions written after 内線 / 携帯 / ext.
_PHONE = re.compile(
    r"(?:\+81[- ]?\(?0?\)?\d{1,4}[- ]?\d{1,4}[- ]?\d{3,4}"
    r"|(?<!\d)\(?0\d{1,4}\)?[- ]?\d{1,4}[- ]?\d{3,4}(?!\d)"
    r"|(?:内線|携帯|ext\.?|tel\.?)\s*[:：]?\s*\d(?:[- ]?\d){1,14})",
    re.IGNORECASE,
)
EMAIL_MARK = "[email]"
PHONE_MARK = "[phone]"
NUMBER_MARK = "[number]"
STAFF_MARK = "[staff-no]"


class QuestionMasker:
    """Masks one question; `staff_pattern` is the municipality's staff-number regex, if any."""

    def __init__(self, staff_pattern: str | None = None) -> None:
        self._staff = re.compile(staff_pattern) if staff_pattern else None

    def __call__(self, text: str) -> str:
        # Full-width digits and symbols (０９０－１２３４…) are folded first, so the patterns see them.
        masked = unicodedata.normalize("NFKC", text)
        masked = _EMAIL.sub(EMAIL_MARK, masked)
        if self._staff is not None:
            masked = self._staff.sub(STAFF_MARK, masked)
        masked = _INDIVIDUAL_NUMBER.sub(NUMBER_MARK, masked)
        return _PHONE.sub(PHONE_MARK, masked)
