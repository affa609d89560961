"""Import measured usage per clinic and month from a CSV file, all or nothing."""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from clinics.services.clinics_csv import ImportRejected, check_file_size
from followup.usage import COLUMNS, import_usage
from followup.vocabulary import UsageMeasure
from halland_utbud.commands import read_file
from halland_utbud.errors import ApplicationError


class Command(BaseCommand):
    help = _(
        "Imports monthly usage per clinic from a semicolon-separated CSV file in UTF-8 with "
        "the columns %(columns)s (month as YYYY-MM; measures: %(measures)s). Each month and "
        "measure in the file replaces what was imported for it before. If any row is wrong, "
        "nothing is imported."
    ) % {"columns": ";".join(COLUMNS), "measures": ", ".join(UsageMeasure.values)}

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help=_("The CSV file to import."))

    def handle(self, *args, file: str, **options) -> None:
        path = Path(file)
        data = read_file(path, check_size=check_file_size)

        try:
            result = import_usage(data, actor=None, file_name=path.name, operator=_operator())
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError(rejected.message) from None
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            _("%(rows)d values imported for %(months)s; %(replaced)d earlier values replaced.")
            % {"rows": result.rows, "months": result.months, "replaced": result.replaced}
        )


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
