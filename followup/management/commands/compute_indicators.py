"""The nightly snapshot by hand, and the backfill of past periods from the timeline."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from followup.models import Snapshot
from followup.periods import Period, PeriodError, periods_since
from followup.snapshots import take_snapshots


class Command(BaseCommand):
    help = gettext_lazy(
        "Computes every indicator and replaces the snapshots of the periods: by default "
        "the year, quarter and month of yesterday, as the nightly job does."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--period",
            action="append",
            default=[],
            help=_("A year (2026), quarter (2026-Q4) or month (2026-11); may be repeated."),
        )
        parser.add_argument(
            "--as-of",
            help=_("Read the figures as at the end of this day (YYYY-MM-DD)."),
        )
        parser.add_argument(
            "--since",
            help=_(
                "Backfill: every month from this period's start up to yesterday, and the "
                "quarters and years they make up, each as of its last day."
            ),
        )

        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Do nothing when there are snapshots already (for start-up scripts)."),
        )

    def handle(
        self,
        *args,
        period: list[str],
        as_of: str | None,
        since: str | None,
        if_empty: bool,
        **options,
    ) -> None:
        if if_empty and Snapshot.objects.exists():
            self.stdout.write(_("There are snapshots already; nothing was computed."))
            return
        try:
            day = _day(as_of) if as_of else None
            periods = [Period.parse(code) for code in period]
            if since:
                if periods or day:
                    raise CommandError(_("--since is used without --period and --as-of."))
                self._backfill(Period.parse(since))
                return
            if day is not None and not periods:
                periods = list(Period.containing(day))
            groups = _by_day(periods, day)
        except PeriodError as error:
            raise CommandError(str(error)) from None
        for periods_of_day, day_of_periods in groups:
            self._take(periods_of_day, day_of_periods)

    def _backfill(self, first: Period) -> None:
        yesterday = timezone.localdate() - timedelta(days=1)
        periods = periods_since(first, yesterday)
        if not periods:
            raise CommandError(
                _("%(period)s has no complete day yet: nothing to backfill.")
                % {"period": first.code}
            )
        for group, day in _by_day(periods, None):
            self._take(group, day)

    def _take(self, periods: list[Period] | None, day: date | None) -> None:
        try:
            result = take_snapshots(periods=periods, as_of=day)
        except PeriodError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("%(periods)s: %(rows)d figures as of %(day)s")
            % {"periods": ", ".join(result.periods), "rows": result.rows, "day": result.as_of}
        )


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": value}
        ) from None


def _by_day(
    periods: list[Period], day: date | None
) -> list[tuple[list[Period] | None, date | None]]:
    """The periods grouped by the day they are read on, so that each day is computed once."""
    if not periods:
        return [(None, day)]
    if day is not None:
        return [(periods, day)]
    today = timezone.localdate()
    groups: dict[date, list[Period]] = {}
    for period in periods:
        groups.setdefault(period.as_of(today), []).append(period)
    return [(group, as_of) for as_of, group in groups.items()]
