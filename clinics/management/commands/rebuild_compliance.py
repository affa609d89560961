"""Rebuild the compliance timeline from its sources: every clinic's, or one clinic's."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from clinics.models import Clinic, ClinicStatusPeriod
from clinics.timeline import rebuild_all, rewrite_timelines, vacuum


class Command(BaseCommand):
    help = _(
        "Rebuilds the compliance timeline from the approved reports, the exemptions, the "
        "catalogue versions and the register's history. Safe to run at any time."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--clinic", metavar="HSA_ID", help=_("Rebuild only this clinic's timeline.")
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Do nothing when the timeline already has rows (for start-up scripts)."),
        )

    def handle(self, *args, clinic: str | None, if_empty: bool, **options) -> None:
        if if_empty and ClinicStatusPeriod.objects.exists():
            self.stdout.write(_("The compliance timeline already has rows; nothing was done."))
            return
        started = time.perf_counter()
        if clinic:
            pk = Clinic.objects.filter(hsa_id=clinic).values_list("pk", flat=True).first()
            if pk is None:
                raise CommandError(_("No clinic has the HSA-id %(hsa_id)s.") % {"hsa_id": clinic})
            written = rewrite_timelines([pk])
        else:
            written = rebuild_all()
            vacuum()
        self.stdout.write(
            _(
                "Rebuilt the timeline of %(clinics)d clinics: %(clinic_rows)d clinic, "
                "%(area_rows)d area and %(requirement_rows)d requirement periods in "
                "%(seconds).1f s."
            )
            % {
                "clinics": written.clinics,
                "clinic_rows": written.clinic_rows,
                "area_rows": written.area_rows,
                "requirement_rows": written.requirement_rows,
                "seconds": time.perf_counter() - started,
            }
        )
