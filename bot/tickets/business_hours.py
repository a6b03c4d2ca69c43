"""Business hours of the ICT desk: weekdays, configured hours, no Japanese public holidays
(`jpholiday`, maintained upstream), and the office's own closed dates (by default 12/29–1/3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jpholiday

from bot.config import Settings

__all__ = ["BusinessCalendar"]

_SATURDAY = 5


def _clock_time(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    return time.max if hours == 24 else time(hours, minutes)


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    zone: ZoneInfo
    opens: time
    closes: time
    closed_dates: frozenset[tuple[int, int]] = frozenset()  # (month, day), every year

    @classmethod
    def from_settings(cls, settings: Settings) -> BusinessCalendar:
        opens, closes = settings.desk_business_hours.split("-")
        closed = frozenset((int(day[:2]), int(day[3:])) for day in settings.desk_closed_dates)
        return cls(ZoneInfo(settings.timezone), _clock_time(opens), _clock_time(closes), closed)

    def _working_day(self, day: date) -> bool:
        return (
            day.weekday() < _SATURDAY
            and not jpholiday.is_holiday(day)
            and (day.month, day.day) not in self.closed_dates
        )

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        return self._working_day(local.date()) and self.opens <= local.time() < self.closes

    def open_seconds(self, start: datetime, end: datetime) -> float:
        """How long the desk was open between `start` and `end` (the desk's reports count in these)."""
        first, last = start.astimezone(self.zone), end.astimezone(self.zone)
        total = 0.0
        day = first.date()
        while day <= last.date():
            if self._working_day(day):
                opens = datetime.combine(day, self.opens, self.zone)
                closes = datetime.combine(day, self.closes, self.zone)
                total += max(0.0, (min(closes, last) - max(opens, first)).total_seconds())
            day += timedelta(days=1)
        return total
