"""``manage.py import_catalogue PATH``: store a requirement catalogue file as a version."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from requirements.catalogue_import import CatalogueError, import_catalogue, parse_catalogue
from requirements.previews import impact


class Command(BaseCommand):
    help = gettext_lazy(
        "Imports a requirement catalogue (YAML). Changed content becomes a new version; "
        "a file that is already imported changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "path", type=Path, help=gettext_lazy("Path to the catalogue file (YAML).")
        )
        parser.add_argument(
            "--preview",
            action="store_true",
            help=gettext_lazy(
                "Show what the file would change (requirements, and which clinics would stop "
                "or start meeting each area) without importing anything."
            ),
        )
        parser.add_argument(
            "--on",
            type=date.fromisoformat,
            help=gettext_lazy(
                "With --preview: the day to judge the clinics on (YYYY-MM-DD; default the "
                "day the file takes effect)."
            ),
        )

    def handle(self, *args, path: Path, preview: bool, on: date | None, **options) -> None:
        if not path.is_file():
            raise CommandError(_("The catalogue file %(path)s does not exist.") % {"path": path})
        if on is not None and not preview:
            raise CommandError(_("--on is only for --preview."))
        try:
            if preview:
                self._preview(parse_catalogue(path.read_text(encoding="utf-8")), on)
                return
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

    def _preview(self, catalogue, on: date | None) -> None:
        found = impact(catalogue, on)
        if found is None:
            raise CommandError(_("No app computes the impact of a catalogue here."))
        write = self.stdout.write
        against = (
            _("revision %(revision)d") % {"revision": found.current.revision}
            if found.current
            else _("no catalogue (none in force)")
        )
        write(
            _(
                "Preview of %(decision)s effective from %(effective_from)s against %(against)s, "
                "on %(day)s. Nothing has been imported."
            )
            % {
                "decision": catalogue.decision_id,
                "effective_from": catalogue.effective_from.isoformat(),
                "against": against,
                "day": found.on.isoformat(),
            }
        )
        diff = found.diff
        write(_("Requirements added (%(count)d):") % {"count": len(diff.added)})
        for code in diff.added:
            write(f"  + {code}")
        write(_("Requirements removed (%(count)d):") % {"count": len(diff.removed)})
        for code in diff.removed:
            write(f"  - {code}")
        write(_("Requirements changed (%(count)d):") % {"count": len(diff.changed)})
        for change in diff.changed:
            write(f"  ~ {change.code}")
            for field in change.changes:
                write(f"      {field.field}: {field.old!r} -> {field.new!r}")
        write(_("Active clinics judged: %(count)d") % {"count": found.clinics})
        write(_("Clinics that would stop / start meeting each area:"))
        for key, movement in found.movements.items():
            write(f"  {key}: -{movement.to_not_met} +{movement.to_met}")
        write(_("By municipality, kind of clinic and contract form:"))
        for (dimension, value, key), movement in found.by_dimension.items():
            write(f"  {dimension}={value} {key}: -{movement.to_not_met} +{movement.to_met}")
        write(_("Clinics affected (%(count)d):") % {"count": len(found.affected)})
        for clinic in found.affected:
            write(
                f"  {clinic.name} (id {clinic.clinic_id}): "
                f"-{','.join(clinic.lost) or '–'} +{','.join(clinic.gained) or '–'}"
            )
        write(_("Reports that will need new answers (%(count)d):") % {"count": len(found.reports)})
        for report in found.reports:
            write(f"  {report.name} (report {report.report_id}): {', '.join(report.codes)}")
