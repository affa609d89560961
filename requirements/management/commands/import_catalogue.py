"""``manage.py import_catalogue PATH``: store a requirement catalogue file as a version."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from requirements.catalogue_import import CatalogueError, import_catalogue


class Command(BaseCommand):
    help = gettext_lazy(
        "Importerar en kravkatalog (YAML). Ändrat innehåll blir en ny version; "
        "en fil som redan är importerad ändrar ingenting."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "path", type=Path, help=gettext_lazy("Sökväg till katalogfilen (YAML).")
        )

    def handle(self, *args, path: Path, **options) -> None:
        if not path.is_file():
            raise CommandError(_("Katalogfilen %(path)s finns inte.") % {"path": path})
        try:
            version, created = import_catalogue(path)
        except OSError as error:
            raise CommandError(
                _("Katalogfilen %(path)s kunde inte läsas: %(error)s")
                % {"path": path, "error": error}
            ) from error
        except CatalogueError as error:
            lines = [
                _("Katalogfilen %(path)s importerades inte; inget har ändrats. Fel:")
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
                        "Ny katalogversion skapad: %(decision)s revision %(revision)d, gäller "
                        "från %(effective_from)s, med %(areas)d områden och %(requirements)d krav."
                    )
                    % values
                )
            )
        else:
            self.stdout.write(
                _(
                    "Filen är redan importerad som %(decision)s revision %(revision)d; "
                    "ingen ny version skapades."
                )
                % values
            )
