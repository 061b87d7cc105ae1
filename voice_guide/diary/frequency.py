"""The pure "frequent cramps" rule: which night an episode belongs to, and cramps on N of the last M nights."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..errors import UserError

NIGHT_CUTOFF_HOUR = 12
"""An episode before this local hour belongs to the previous evening's night (03:00 on the 12th -> night of
the 11th); from this hour on it belongs to that day's night. Noon, so a whole night never straddles it."""


def night_of(at: datetime, cutoff_hour: int = NIGHT_CUTOFF_HOUR) -> date:
    """The night ``at`` belongs to: the date of the evening, in the wall-clock time ``at`` was recorded in.

    The episode's own UTC offset is used, not the reader's: a cramp at 01:00 is "last night" wherever the
    user was, and a change of time zone or daylight saving later does not move it to another night.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"night_of needs an aware datetime, not {at!r}")
    day = at.date()
    return day - timedelta(days=1) if at.hour < cutoff_hour else day


@dataclass(frozen=True)
class FrequentRule:
    """Cramps are "frequent" when at least ``nights`` of the last ``window`` nights had one.

    The last ``window`` nights end with the current night (``night_of(now)``), so a cramp happening now
    counts. Several episodes in one night count as one night. The source's first warning sign is pain that
    is "frequent and severe"; this rule only flags the "frequent" half, for the report and the dialog to ask
    about the rest. The default (4 of 7) is a convention for this tool, not a clinical threshold.
    """

    nights: int = 4
    window: int = 7
    cutoff_hour: int = NIGHT_CUTOFF_HOUR

    def __post_init__(self) -> None:
        if not 1 <= self.window <= 366:
            raise UserError(f"frequent rule: the window must be 1 to 366 nights, not {self.window}")
        if not 1 <= self.nights <= self.window:
            raise UserError(f"frequent rule: nights must be 1 to {self.window} (the window), not {self.nights}")
        if not 0 <= self.cutoff_hour <= 23:
            raise UserError(f"night cut-off hour must be 0 to 23, not {self.cutoff_hour}")

    @classmethod
    def parse(cls, text: str, cutoff_hour: int = NIGHT_CUTOFF_HOUR) -> FrequentRule:
        """``"4/7"`` -> 4 of the last 7 nights."""
        parts = text.replace(" ", "").split("/")
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise UserError(f"frequent rule {text!r}: write NIGHTS/WINDOW, e.g. 4/7 (cramps on 4 of the last 7 nights)")
        return cls(int(parts[0]), int(parts[1]), cutoff_hour)

    def describe(self) -> str:
        """A plain-words statement of the rule."""
        return f"cramps on at least {self.nights} of the last {self.window} nights"

    def window_nights(self, now: datetime) -> tuple[date, date]:
        """The first and last night (inclusive) of the window that ends with ``now``'s night."""
        last = night_of(now, self.cutoff_hour)
        return last - timedelta(days=self.window - 1), last


def nights_in_window(starts: Iterable[datetime], now: datetime, rule: FrequentRule) -> set[date]:
    """The distinct nights inside the rule's window that have an episode starting at or before ``now``."""
    first, last = rule.window_nights(now)
    nights = set()
    for at in starts:
        if at > now:  # a clock set back, or a report drawn "as of" an earlier time: the future does not count
            continue
        night = night_of(at, rule.cutoff_hour)
        if first <= night <= last:
            nights.add(night)
    return nights


def is_frequent(starts: Iterable[datetime], now: datetime, rule: FrequentRule | None = None) -> bool:
    """True when episodes starting at ``starts`` fall on at least ``rule.nights`` of the last ``rule.window``."""
    rule = rule or FrequentRule()
    return len(nights_in_window(starts, now, rule)) >= rule.nights
