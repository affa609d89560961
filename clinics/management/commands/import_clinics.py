"""Import the register's clinics from a CSV file, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from clinics.services.clinics_csv import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    ImportRejected,
    check_file_size,
)
from clinics.services.register import import_clinics_csv
from halland_utbud.commands import read_file


class Command(BaseCommand):
    help = _(
        "Creates and updates clinics from a semicolon-separated CSV file in UTF-8. "
        "Columns: %(required)s; optional: %(optional)s. If any row is wrong, nothing is "
        "imported."
    ) % {"required": ";".join(REQUIRED_COLUMNS), "optional": ";".join(OPTIONAL_COLUMNS)}

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help=_("The CSV file to import."))

    def handle(self, *args, file: str, **options) -> None:
        path = Path(file)
        data = read_file(path, check_size=check_file_size)

        try:
            result = import_clinics_csv(data)
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError(rejected.message) from None

        self.stdout.write(
            _("%(created)d clinics created, %(updated)d updated, %(unchanged)d unchanged.")
            % {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            }
        )
        if result.providers_created or result.providers_updated:
            self.stdout.write(
                _("%(created)d providers created, %(updated)d updated.")
                % {"created": result.providers_created, "updated": result.providers_updated}
            )
