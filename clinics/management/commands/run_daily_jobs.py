"""The nightly work, by hand: what Celery beat runs at 02:15 (halland_utbud/celery.py)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from clinics.services.case_jobs import run_daily_jobs


class Command(BaseCommand):
    help = _(
        "Marks exemptions whose period has ended as expired and sends the reminders, "
        "notices and digests that are due. Safe to run again: nothing is sent twice."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--date",
            help=_("Run as on this date (YYYY-MM-DD) instead of today."),
        )

    def handle(self, *args, date: str | None = None, **options) -> None:
        today = None
        if date:
            try:
                today = _parse_date(date)
            except ValueError:
                raise CommandError(
                    _("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": date}
                ) from None
        counts = run_daily_jobs(today)
        self.stdout.write(_("Cases expired: %(count)d") % {"count": counts.expired})
        self.stdout.write(_("Expiry notices sent: %(count)d") % {"count": counts.expiry_notices})
        self.stdout.write(_("Reminders sent: %(count)d") % {"count": counts.reminders})
        self.stdout.write(
            _("Decision notices sent: %(count)d") % {"count": counts.decision_notices}
        )
        self.stdout.write(
            _("Reporting round mails sent: %(count)d") % {"count": counts.round_notices}
        )
        self.stdout.write(
            _("Report decision mails sent: %(count)d") % {"count": counts.report_decision_notices}
        )
        self.stdout.write(_("Review digests sent: %(count)d") % {"count": counts.review_digests})
        self.stdout.write(
            _("Action plan reminders sent: %(count)d") % {"count": counts.action_plan_reminders}
        )


def _parse_date(value: str) -> date:
    return date.fromisoformat(value)
