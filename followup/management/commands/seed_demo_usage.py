"""Demo usage for the demo register (run by `make run`)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from followup.demo import DEMO_MONTHS, seed_demo_usage


class Command(BaseCommand):
    help = _(
        "Creates demo usage: the last complete months of every measure for the clinics that "
        "offer the service by their answer. Does nothing when usage exists."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--months",
            type=int,
            default=DEMO_MONTHS,
            help=_("Number of months (default %(default)s)."),
        )

    def handle(self, *args, months: int, **options) -> None:
        record = seed_demo_usage(months=months)
        if record is None:
            self.stdout.write(_("Usage has already been imported; no demo usage was created."))
            return
        self.stdout.write(_("Created %(rows)d values of demo usage.") % {"rows": record.rows})
