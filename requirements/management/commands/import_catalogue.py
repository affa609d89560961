"""``manage.py import_catalogue PATH``: store a requirement catalogue file as a version."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from requirements.catalogue_import import CatalogueError, import_catalogue


class Command(BaseCommand):
    help = gettext_lazy(
        "Imports a requirement catalogue (YAML). Changed content becomes a new version; "
        "a file that is already imported changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "path", type=Path, help=gettext_lazy("Path to the catalogue file (YAML).")
        )

    def handle(self, *args, path: Path, **options) -> None:
        if not path.is_file():
            raise CommandError(_("The catalogue file %(path)s does not exist.") % {"path": path})
        try:
            version, created = import_catalogue(path)
        except OSError as error:
            raise CommandError(
                _("The catalogue file %(path)s could not be read: %(error)s")
                % {"path": path, "error": error}
            ) from error
        except CatalogueError as error:
            lines = [
                _("The catalogue file %(path)s was not imported; nothing has changed. Errors:")
                % {"path": path}
            ]
            lines += [f"  - {problem}" for problem in error.problems]
            raise CommandError("\n".join(lines)) from error

        values = {
            "decision": version.decision_id,
            "revision": version.revision,
            "effective_from": version.effective_from.isoformat(),
            "areas": version.areas.count(),
            "requirements": version.requirements.count(),
        }
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "New catalogue version created: %(decision)s revision %(revision)d, "
                        "effective from %(effective_from)s, with %(areas)d areas and "
                        "%(requirements)d requirements."
                    )
                    % values
                )
            )
        else:
            self.stdout.write(
                _(
                    "The file is already imported as %(decision)s revision %(revision)d; "
                    "no new version was created."
                )
                % values
            )
