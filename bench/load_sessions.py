"""The sessions ``make load`` acts with, printed as one JSON object (bench/load.py runs it
with the server's settings): a region viewer's, and N reporters' each with a draft of
their own to save (started here if they have none). Also the clinics and municipalities
that the routes pick from."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halland_utbud.settings")

import django

django.setup()

from django.test import Client  # noqa: E402

from clinics.models import Clinic, Report, ReportState, Role, User  # noqa: E402
from clinics.services.reports import start_report  # noqa: E402


def session(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def reporters_with_drafts(count: int) -> list[dict]:
    """Up to ``count`` reporters, each with an open report of one of their clinics."""
    reports = []
    for reporter in User.objects.filter(role=Role.CLINIC_REPORTER, is_active=True).order_by("pk"):
        for clinic in reporter.clinics.order_by("pk"):
            report = (
                Report.objects.filter(clinic=clinic, state__in=ReportState.open_states())
                .order_by("-pk")
                .first()
            )
            if report is None:
                report = start_report(clinic=clinic, actor=reporter)
            if report.round is None or report.round.is_open:
                reports.append({"session": session(reporter), "report": report.pk})
                break
        if len(reports) == count:
            break
    return reports


def main() -> None:
    viewer = User.objects.filter(role=Role.VIEWER, is_active=True).order_by("pk").first()
    world = {
        "viewer": session(viewer),
        "clinics": list(Clinic.objects.order_by("pk").values_list("pk", flat=True)),
        "municipalities": sorted(set(Clinic.objects.values_list("municipality_code", flat=True))),
        "reports": reporters_with_drafts(int(sys.argv[1])),
    }
    print(json.dumps(world))


if __name__ == "__main__":
    main()
