"""Fill an empty register with a realistic demo of Halland (run by `make run`)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from clinics.demo import DEFAULT_CLINICS, DEFAULT_SEED, DEMO_PASSWORD, seed_demo
from clinics.models import Clinic, ReportState, Role
from halland_utbud.errors import ApplicationError


class Command(BaseCommand):
    help = _(
        "Creates demo data: providers, clinics in Halland's six municipalities, reports, "
        "answers and one login per role. The same seed gives the same data."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--clinics",
            type=int,
            default=DEFAULT_CLINICS,
            help=_("Number of clinics (default %(default)s)."),
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=_("Random seed (default %(default)s).")
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Do nothing when the register already has clinics."),
        )

    def handle(self, *args, clinics: int, seed: int, if_empty: bool, **options) -> None:
        if if_empty and Clinic.objects.exists():
            self.stdout.write(_("The register already has clinics; no demo data was created."))
            return
        try:
            result = seed_demo(clinics=clinics, seed=seed)
        except ApplicationError as error:
            raise CommandError(error.message) from None

        # "Godkänd: 156", not "156 godkänd": a state's label reads right for any count.
        states = ", ".join(
            f"{ReportState(state).label}: {count}"
            for state, count in sorted(result.reports.items())
        )
        self.stdout.write(
            _(
                "Created %(providers)d providers, %(clinics)d clinics, "
                "reports (%(states)s) and %(answers)d answers."
            )
            % {
                "providers": result.providers,
                "clinics": result.clinics,
                "states": states,
                "answers": result.answers,
            }
        )
        self._print_logins(result)

    def _print_logins(self, result) -> None:
        rows = [(_("Username"), _("Role"), _("Password"), _("Reports for / sees"))]
        for login in result.logins:
            password = DEMO_PASSWORD if login.created else _("(existed already, unchanged)")
            rows.append((login.username, Role(login.role).label, password, login.scope))
        widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write("")
        self.stdout.write(_("Demo logins:"))
        for n, row in enumerate(rows):
            self.stdout.write(
                "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        if result.viewer_token:
            self.stdout.write(
                _("API token for lasare: %(token)s") % {"token": result.viewer_token}
            )
