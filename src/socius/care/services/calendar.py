"""The business-hours calendar that service levels are counted on.

Opening hours come from the environment (``CARE_BUSINESS_HOURS``, e.g. ``mon-fri 09:00-18:00``,
in ``CARE_TIME_ZONE``); French public holidays (``holidays``, country ``FR``) are closed.
A target of 240 business minutes set on Friday at 17:00 falls due on Monday at 12:00, and
on Tuesday if that Monday is Easter Monday.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(
    r"^\s*(mon|tue|wed|thu|fri|sat|sun)(?:-(mon|tue|wed|thu|fri|sat|sun))?"
    r"\s+(\d{2}):(\d{2})-(\d{2}):(\d{2})\s*$"
)


@dataclass(frozen=True)
class BusinessHours:
    weekdays: frozenset[int]
    opens: dt.time
    closes: dt.time
    zone: ZoneInfo
    country: str = "FR"

    @classmethod
    def parse(cls, spec: str, zone: str, country: str = "FR") -> BusinessHours:
        match = _SPEC.match(spec)
        if match is None:
            raise ValueError(f"Business hours must look like 'mon-fri 09:00-18:00', not {spec!r}.")
        first, last, oh, om, ch, cm = match.groups()
        start, end = _DAYS.index(first), _DAYS.index(last or first)
        opens, closes = dt.time(int(oh), int(om)), dt.time(int(ch), int(cm))
        if end < start or closes <= opens:
            raise ValueError(f"Business hours {spec!r} describe no time at all.")
        return cls(frozenset(range(start, end + 1)), opens, closes, ZoneInfo(zone), country)

    def is_open_day(self, day: dt.date) -> bool:
        return day.weekday() in self.weekdays and day not in _holidays(self.country, day.year)

    def _window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        return (
            dt.datetime.combine(day, self.opens, tzinfo=self.zone),
            dt.datetime.combine(day, self.closes, tzinfo=self.zone),
        )

    def add(self, start: dt.datetime, minutes: int) -> dt.datetime:
        """The moment ``minutes`` business minutes after ``start``."""
        remaining = dt.timedelta(minutes=minutes)
        moment = start.astimezone(self.zone)
        day = moment.date()
        for _ in range(3660):  # ten years of days: a target can never be further away
            if self.is_open_day(day):
                opens, closes = self._window(day)
                begin = max(moment, opens)
                if begin < closes:
                    if begin + remaining <= closes:
                        return (begin + remaining).astimezone(dt.UTC)
                    remaining -= closes - begin
            day += dt.timedelta(days=1)
            moment = dt.datetime.combine(day, dt.time(0), tzinfo=self.zone)
        raise ValueError("No business hours within ten years.")

    def minutes_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Business minutes elapsed from ``start`` to ``end`` (0 if end is earlier)."""
        if end <= start:
            return 0
        total = dt.timedelta()
        first, last = start.astimezone(self.zone), end.astimezone(self.zone)
        day = first.date()
        while day <= last.date():
            if self.is_open_day(day):
                opens, closes = self._window(day)
                begin, finish = max(first, opens), min(last, closes)
                if finish > begin:
                    total += finish - begin
            day += dt.timedelta(days=1)
        return int(total.total_seconds() // 60)


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays(country, years=year).keys())


@lru_cache(maxsize=4)
def _calendar(spec: str, zone: str) -> BusinessHours:
    return BusinessHours.parse(spec, zone)


def business_hours() -> BusinessHours:
    return _calendar(settings.CARE_BUSINESS_HOURS, settings.CARE_TIME_ZONE)
