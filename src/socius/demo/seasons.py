"""When things happen at a leisure park: summer and Halloween crowds, weekends, opening hours."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta

DAYS = 365
# Relative attendance by month (January = index 0): the park closes in the heart of winter.
_MONTH_WEIGHTS = (0.2, 0.3, 0.6, 1.0, 1.2, 1.3, 2.6, 2.8, 1.0, 1.6, 0.5, 0.8)
_WEEKEND_FACTOR = 2.2


class ParkCalendar:
    """Draws moments over the 12 months before ``now``, weighted like park attendance."""

    def __init__(self, now: datetime, rng: random.Random) -> None:
        self.now = now
        self._rng = rng
        first_day = now - timedelta(days=DAYS)
        weights = []
        for offset in range(DAYS):
            day = first_day + timedelta(days=offset)
            weight = _MONTH_WEIGHTS[day.month - 1]
            weights.append(weight * (_WEEKEND_FACTOR if day.weekday() >= 5 else 1.0))
        self._first_day = first_day.replace(hour=0, minute=0, second=0, microsecond=0)
        self._cumulative = list(itertools.accumulate(weights))

    def moment(self, *, opening_hours: bool = False) -> datetime:
        rng = self._rng
        day = rng.choices(range(DAYS), cum_weights=self._cumulative)[0]
        if opening_hours:
            seconds = rng.randrange(10 * 3600, 19 * 3600)
        else:
            # Online, people buy and write in the evening more than at dawn.
            seconds = int(rng.triangular(6 * 3600, 24 * 3600 - 1, 20 * 3600))
        when = self._first_day + timedelta(days=day, seconds=seconds)
        return min(when, self.now)

    def moment_after(self, start: datetime, *, opening_hours: bool = False) -> datetime:
        """A moment between ``start`` and now, seasonal when the range allows it."""
        for _attempt in range(3):
            when = self.moment(opening_hours=opening_hours)
            if when >= start:
                return when
        span = max((self.now - start).total_seconds(), 0.0)
        return start + timedelta(seconds=self._rng.uniform(0, span))
