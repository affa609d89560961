"""The periods the follow-up is reported in: a year (``2026``), a quarter (``2026-Q4``) and
a month (``2026-11``), as the region's plan and budget and its monthly reports use them.

A period's snapshot gives the figures as they stood at the end of one day of the period
(its ``as_of``): the period's last day once it is over, and the last complete day while
it runs. A figure of a period is therefore a state, not a sum over the period.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")


_PATTERNS = {
    PeriodKind.YEAR: re.compile(r"^(?P<year>\d{4})$"),
    PeriodKind.QUARTER: re.compile(r"^(?P<year>\d{4})-Q(?P<quarter>[1-4])$"),
    PeriodKind.MONTH: re.compile(r"^(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])$"),
}


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # the last day, inclusive
    kind: PeriodKind

    @classmethod
    def parse(cls, code: str) -> "Period":
        """``2026``, ``2026-Q4`` or ``2026-11``; anything else is a PeriodError."""
        for kind, pattern in _PATTERNS.items():
            match = pattern.match(code.strip())
            if match is None:
                continue
            year = int(match["year"])
            if year < 1900:
                break
            if kind == PeriodKind.YEAR:
                return cls.year(year)
            if kind == PeriodKind.QUARTER:
                return cls.quarter(year, int(match["quarter"]))
            return cls.month(year, int(match["month"]))
        raise PeriodError(
            _(
                "“%(value)s” is not a period: write a year (2026), a quarter (2026-Q4) "
                "or a month (2026-11)."
            )
            % {"value": code}
        )

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31), PeriodKind.YEAR)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        start = date(year, 3 * quarter - 2, 1)
        return cls(start, _month_end(year, 3 * quarter), PeriodKind.QUARTER)

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        return cls(date(year, month, 1), _month_end(year, month), PeriodKind.MONTH)

    @classmethod
    def containing(cls, day: date) -> tuple["Period", "Period", "Period"]:
        """The year, the quarter and the month that hold ``day``."""
        return (
            cls.year(day.year),
            cls.quarter(day.year, (day.month - 1) // 3 + 1),
            cls.month(day.year, day.month),
        )

    @property
    def code(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return f"{self.start.year}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    def __str__(self) -> str:
        return self.code

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    def as_of(self, today: date) -> date:
        """The day the period's figures are read for: its last day once it is over, the
        last complete day (yesterday) while it runs. A period that begins today has no
        complete day yet, and so no figures."""
        if today <= self.start:
            raise PeriodError(
                _("The period %(period)s has no complete day yet.") % {"period": self.code}
            )
        return min(self.end, today - timedelta(days=1))


def _month_end(year: int, month: int) -> date:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)


def periods_since(first: Period, last_day: date) -> list[Period]:
    """Every month from ``first``'s start to ``last_day``, and the quarters and years they
    make up, in order of their start (a year before its quarters, a quarter before its
    months): what a backfill computes."""
    periods: set[Period] = set()
    day = first.start
    while day <= last_day:
        periods.update(Period.containing(day))
        day = _month_end(day.year, day.month) + timedelta(days=1)
    kinds = list(PeriodKind)
    return sorted(periods, key=lambda period: (period.start, kinds.index(period.kind)))
