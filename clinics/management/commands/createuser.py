"""Create a user with a role, e.g. the first region admin or a system account for the API."""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from clinics.models import Role
from clinics.services.users import create_user
from halland_utbud.errors import ApplicationError


class Command(BaseCommand):
    help = _(
        "Creates a user with a role. A clinic reporter is linked to their clinics (--clinic) "
        "or their provider (--provider)."
    )
    # Tests pass a terminal in place of sys.stdin, as for Django's createsuperuser.
    stealth_options = ("stdin",)

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help=_("The username."))
        parser.add_argument("--role", required=True, choices=Role.values, help=_("The role."))
        parser.add_argument(
            "--clinic",
            action="append",
            default=[],
            metavar="HSA_ID",
            help=_("A clinic the reporter reports for (may be repeated)."),
        )
        parser.add_argument(
            "--provider",
            action="append",
            default=[],
            metavar="ORG_NR",
            help=_("A provider for all of whose clinics the reporter reports (may be repeated)."),
        )
        parser.add_argument("--email", default="", help=_("E-mail address."))
        password = parser.add_mutually_exclusive_group()
        password.add_argument(
            "--password", help=_("The password; without it the command asks for one.")
        )
        password.add_argument(
            "--no-password",
            action="store_true",
            help=_("No password: a system account that only uses its API token."),
        )
        parser.add_argument(
            "--token",
            action="store_true",
            help=_("Create an API key and print it: it is shown this once, never again."),
        )
        parser.add_argument(
            "--token-name",
            default="createuser",
            help=_("The API key's name, as its user sees it (default: createuser)."),
        )

    def handle(self, *args, **options) -> None:
        password = options["password"]
        if password is None and not options["no_password"]:
            password = self._ask_password(options.get("stdin") or sys.stdin)
        try:
            created = create_user(
                username=options["username"],
                role=options["role"],
                password=password,
                email=options["email"],
                clinic_hsa_ids=options["clinic"],
                provider_org_nrs=options["provider"],
                with_token=options["token"],
                token_name=options["token_name"],
            )
        except ApplicationError as error:
            raise CommandError(error.message) from None

        user = created.user
        self.stdout.write(
            _("User %(username)s was created with the role %(role)s.")
            % {"username": user.username, "role": user.get_role_display()}
        )
        if created.api_token:
            expiry = created.api_token.token.expiry
            self.stdout.write(
                _(
                    "API key (shown only now, keep it safe; it is valid until %(expiry)s), "
                    "send it as “Authorization: Token <key>”:"
                )
                % {"expiry": timezone.localtime(expiry).strftime("%Y-%m-%d %H:%M")}
            )
            self.stdout.write(created.token)

    def _ask_password(self, stdin) -> str:
        if not (hasattr(stdin, "isatty") and stdin.isatty()):
            raise CommandError(
                _(
                    "Give --password (or --no-password) when the command does not run in a "
                    "terminal."
                )
            )
        password = getpass.getpass(_("Password: "))
        if password != getpass.getpass(_("Password again: ")):
            raise CommandError(_("The passwords differ."))
        if not password:
            raise CommandError(_("The password must not be empty."))
        return password
