"""Measured usage: the import that is all or nothing and replaces what it covers, the
command and the upload page that run it, the indicators that set usage beside the
answers, the clinic page's flag, and the API."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinics.models import Role
from clinics.services.clinics_csv import ImportRejected
from followup.figures import figures_on
from followup.models import Usage, UsageImport, UsageMonth
from followup.usage import import_usage
from followup.vocabulary import Dimension
from halland_utbud.errors import NotAllowed
from tests.api.helpers import error_fields
from tests.factories import make_user

UPLOAD = reverse("usage_import")
API = reverse("api:usage-list")


def last_month() -> date:
    first = timezone.localdate().replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def the_month_before(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def usage_file(*rows: tuple[str, date | str, str, int | str]) -> str:
    lines = ["hsa_id;month;measure;value"]
    for hsa_id, month, measure, value in rows:
        month = month if isinstance(month, str) else f"{month:%Y-%m}"
        lines.append(f"{hsa_id};{month};{measure};{value}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def admin(db):
    return make_user(Role.REGION_ADMIN)


def stored() -> dict[tuple[str, date, str], int]:
    return {
        (hsa_id, month, measure): value
        for hsa_id, month, measure, value in Usage.objects.current().values_list(
            "clinic__hsa_id", "month", "measure", "value"
        )
    }


# The import


def test_a_file_with_bad_rows_among_good_ones_imports_nothing_and_names_every_bad_row(
    region, admin
):
    month = last_month()
    text = usage_file(
        (region.meeting.hsa_id, month, "web_bookings", 12),
        ("SE2321000115-OKÄND", month, "web_bookings", 3),  # line 3: not an HSA-id
        (region.failing.hsa_id, "2026-13", "video_visits", 1),  # line 4: no such month
        (region.failing.hsa_id, month, "fax_messages", 1),  # line 5: no such measure
        (region.silent.hsa_id, month, "video_visits", "-2"),  # line 6: not a count
        (region.meeting.hsa_id, month, "web_bookings", 13),  # line 7: repeats line 2
        ("SE2321000115-X99999", month, "web_bookings", 1),  # line 8: not in the register
        (region.silent.hsa_id, month, "journalen_logins", "1 204"),
    )

    with pytest.raises(ImportRejected) as rejected:
        import_usage(text, actor=admin, file_name="oktober.csv")

    problems = [(p.line, p.column) for p in rejected.value.problems]
    assert problems == [
        (3, "hsa_id"),
        (4, "month"),
        (5, "measure"),
        (6, "value"),
        (7, "hsa_id"),
    ]
    assert "line 2" in rejected.value.problems[-1].reason or "rad 2" in (
        rejected.value.problems[-1].reason
    )
    assert (Usage.objects.count(), UsageMonth.objects.count(), UsageImport.objects.count()) == (
        0,
        0,
        0,
    )


def test_a_clinic_not_in_the_register_refuses_the_file_once_the_rows_are_well_formed(
    region, admin
):
    month = last_month()
    text = usage_file(
        (region.meeting.hsa_id, month, "web_bookings", 12),
        ("SE2321000115-X99999", month, "web_bookings", 1),
    )

    with pytest.raises(ImportRejected) as rejected:
        import_usage(text, actor=admin, file_name="oktober.csv")

    assert [(p.line, p.column) for p in rejected.value.problems] == [(3, "hsa_id")]
    assert not Usage.objects.exists()


def test_counts_may_be_grouped_by_spaces_as_swedish_files_write_them(region, admin):
    month = last_month()

    import_usage(
        usage_file((region.meeting.hsa_id, month, "journalen_logins", "1 204")),
        actor=admin,
        file_name="journalen.csv",
    )

    assert stored() == {(region.meeting.hsa_id, month, "journalen_logins"): 1204}


def test_a_count_larger_than_the_database_holds_is_refused_with_its_line(region, admin):
    with pytest.raises(ImportRejected) as rejected:
        import_usage(
            usage_file((region.meeting.hsa_id, last_month(), "web_bookings", "9" * 20)),
            actor=admin,
            file_name="stort.csv",
        )

    assert [(p.line, p.column) for p in rejected.value.problems] == [(2, "value")]


def test_a_month_that_has_not_begun_is_refused(region, admin):
    next_month = (timezone.localdate().replace(day=28) + timedelta(days=5)).replace(day=1)

    with pytest.raises(ImportRejected) as rejected:
        import_usage(
            usage_file((region.meeting.hsa_id, next_month, "web_bookings", 1)),
            actor=admin,
            file_name="framtiden.csv",
        )

    assert [(p.line, p.column) for p in rejected.value.problems] == [(2, "month")]


def test_importing_a_month_again_replaces_it_and_leaves_the_other_months(region, admin):
    month, before = last_month(), the_month_before(last_month())
    import_usage(
        usage_file(
            (region.meeting.hsa_id, before, "web_bookings", 5),
            (region.meeting.hsa_id, month, "web_bookings", 12),
            (region.failing.hsa_id, month, "web_bookings", 7),
            (region.failing.hsa_id, month, "video_visits", 2),
        ),
        actor=admin,
        file_name="första.csv",
    )

    again = import_usage(
        usage_file((region.meeting.hsa_id, month, "web_bookings", 14)),
        actor=admin,
        file_name="rättad.csv",
    )

    assert stored() == {
        (region.meeting.hsa_id, before, "web_bookings"): 5,
        (region.meeting.hsa_id, month, "web_bookings"): 14,
        # Another measure of the same month is not in the new file: it stays.
        (region.failing.hsa_id, month, "video_visits"): 2,
    }
    assert (again.rows, again.replaced) == (1, 2)
    assert UsageMonth.objects.get(month=month, measure="web_bookings").usage_import == again
    # What was replaced is kept, and says which import replaced it; so does the first
    # import's record: who imported what, and when.
    assert sorted(
        Usage.objects.filter(replaced_by=again).values_list("clinic__hsa_id", "value")
    ) == sorted([(region.meeting.hsa_id, 12), (region.failing.hsa_id, 7)])
    assert UsageImport.objects.count() == 2


def test_only_region_admins_import(region):
    reviewer = make_user(Role.REVIEWER)

    with pytest.raises(NotAllowed):
        import_usage(
            usage_file((region.meeting.hsa_id, last_month(), "web_bookings", 1)),
            actor=reviewer,
            file_name="x.csv",
        )
    assert not Usage.objects.exists()


# The command


def test_the_command_imports_a_file(region, tmp_path):
    path = tmp_path / "usage.csv"
    path.write_text(
        "\ufeff" + usage_file((region.meeting.hsa_id, last_month(), "video_visits", 3)),
        encoding="utf-8",
    )
    out = io.StringIO()

    call_command("import_usage", str(path), stdout=out)

    assert stored() == {(region.meeting.hsa_id, last_month(), "video_visits"): 3}
    record = UsageImport.objects.get()
    assert (record.imported_by, record.via, record.file_name) == (None, "command", "usage.csv")


def test_the_command_lists_every_bad_row_and_imports_nothing(region, tmp_path):
    path = tmp_path / "usage.csv"
    path.write_text(
        usage_file(
            (region.meeting.hsa_id, last_month(), "video_visits", 3),
            (region.meeting.hsa_id, "oktober", "video_visits", 3),
            (region.meeting.hsa_id, last_month(), "video_visits", "tre"),
        ),
        encoding="utf-8",
    )
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_usage", str(path), stderr=err)

    lines = err.getvalue().splitlines()
    assert len(lines) == 2  # line 3's month, line 4's value
    assert lines[0].split(",")[0].endswith("3")
    assert lines[1].split(",")[0].endswith("4")
    assert not Usage.objects.exists()


# The upload page


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER, Role.CLINIC_REPORTER])
def test_only_region_admins_reach_the_upload_page(client, region, role):
    client.force_login(make_user(role, clinics=[region.meeting]))

    assert client.get(UPLOAD).status_code == 403
    upload = SimpleUploadedFile(
        "u.csv", usage_file((region.meeting.hsa_id, last_month(), "web_bookings", 1)).encode()
    )
    assert client.post(UPLOAD, {"file": upload}).status_code == 403
    assert not Usage.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, db):
    assert client.get(UPLOAD).status_code == 302


def test_an_admin_uploads_a_file_and_sees_the_import(client, region, admin):
    client.force_login(admin)
    upload = SimpleUploadedFile(
        "oktober.csv",
        usage_file((region.meeting.hsa_id, last_month(), "web_bookings", 41)).encode(),
    )

    response = client.post(UPLOAD, {"file": upload}, follow=True)

    assert response.status_code == 200
    assert stored() == {(region.meeting.hsa_id, last_month(), "web_bookings"): 41}
    page = response.content.decode()
    assert "oktober.csv" in page
    assert f"{last_month():%Y-%m}" in page


def test_a_bad_upload_lists_every_bad_row_with_its_line(client, region, admin):
    client.force_login(admin)
    upload = SimpleUploadedFile(
        "fel.csv",
        usage_file(
            (region.meeting.hsa_id, last_month(), "web_bookings", 41),
            (region.meeting.hsa_id, last_month(), "telefax", 41),
            (region.meeting.hsa_id, "2026/10", "web_bookings", 41),
        ).encode(),
    )

    response = client.post(UPLOAD, {"file": upload})

    assert response.status_code == 400
    rows = response.context["problems"]
    assert [(p.line, p.column) for p in rows] == [(3, "measure"), (4, "month")]
    page = response.content.decode()
    assert "Ingenting har importerats" in page
    assert '<th scope="row" class="number">3</th><td>measure</td>' in page
    assert not Usage.objects.exists()


# Indicators


def test_the_share_answering_web_booking_met_without_a_single_booking(region, admin):
    day = timezone.localdate() - timedelta(days=1)

    def figure():
        found = [
            f
            for f in figures_on(day)
            if f.indicator.id == "usage.web_bookings_unused" and f.dimension == Dimension.REGION
        ]
        return (found[0].numerator, found[0].denominator) if found else None

    # Nothing is known before the first month is imported: no figure, not a zero.
    assert figure() is None
    # Both clinics with an approved report answer direct web booking met; one has usage.
    import_usage(
        usage_file((region.meeting.hsa_id, last_month(), "web_bookings", 12)),
        actor=admin,
        file_name="oktober.csv",
    )
    assert figure() == (1.0, 2.0)


def test_the_latest_month_with_figures_is_the_one_counted(region, admin):
    day = timezone.localdate() - timedelta(days=1)
    month, before = last_month(), the_month_before(last_month())

    def figure():
        return [
            (f.numerator, f.denominator)
            for f in figures_on(day)
            if f.indicator.id == "usage.web_bookings_unused" and f.dimension == Dimension.REGION
        ]

    import_usage(
        usage_file(
            (region.meeting.hsa_id, before, "web_bookings", 9),
            (region.failing.hsa_id, before, "web_bookings", 4),
        ),
        actor=admin,
        file_name="före.csv",
    )
    assert figure() == [(0.0, 2.0)]
    import_usage(
        usage_file(
            (region.meeting.hsa_id, month, "web_bookings", 0),
            (region.failing.hsa_id, month, "web_bookings", 5),
        ),
        actor=admin,
        file_name="senast.csv",
    )
    assert figure() == [(1.0, 2.0)]


# The clinic page


def test_the_clinic_page_flags_a_service_answered_met_but_not_used(client, region, admin):
    import_usage(
        usage_file(
            (region.meeting.hsa_id, last_month(), "web_bookings", 0),
            (region.meeting.hsa_id, last_month(), "video_visits", 8),
        ),
        actor=admin,
        file_name="oktober.csv",
    )
    client.force_login(make_user(Role.REVIEWER))

    response = client.get(reverse("clinic_detail", args=[region.meeting.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Uppmätt användning" in page or "Measured usage" in page
    lines = {line.usage.measure.value: line for line in _usage_lines(response)}
    assert lines["web_bookings"].mismatch
    assert not lines["video_visits"].mismatch
    assert lines["video_visits"].usage.latest == 8


def _usage_lines(response):
    for section in response.context["added_sections"]:
        if "lines" in section.context:
            return section.context["lines"]
    raise AssertionError("no usage section")


def test_the_clinic_page_shows_no_usage_before_any_is_imported(client, region):
    client.force_login(make_user(Role.REVIEWER))

    response = client.get(reverse("clinic_detail", args=[region.meeting.pk]))

    assert not any("lines" in s.context for s in response.context["added_sections"])


def test_the_usage_section_costs_the_same_for_one_month_as_for_many(client, region, admin):
    client.force_login(make_user(Role.REVIEWER))
    url = reverse("clinic_detail", args=[region.meeting.pk])
    month = last_month()
    import_usage(
        usage_file((region.meeting.hsa_id, month, "web_bookings", 1)),
        actor=admin,
        file_name="1.csv",
    )
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(5):
        month = the_month_before(month)
        import_usage(
            usage_file(
                *((region.meeting.hsa_id, month, measure, 3) for measure in ("web_bookings",))
            ),
            actor=admin,
            file_name="n.csv",
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(one)


# The API


def test_the_api_lists_usage_for_regional_staff(client, region, admin):
    import_usage(
        usage_file(
            (region.meeting.hsa_id, last_month(), "web_bookings", 12),
            (region.failing.hsa_id, last_month(), "web_bookings", 3),
        ),
        actor=admin,
        file_name="x.csv",
    )
    client.force_login(make_user(Role.VIEWER))

    response = client.get(API, {"month": f"{last_month():%Y-%m}"})

    assert response.status_code == 200
    results = response.json()["results"]
    assert {(r["hsa_id"], r["month"], r["measure"], r["value"]) for r in results} == {
        (region.meeting.hsa_id, f"{last_month():%Y-%m}", "web_bookings", 12),
        (region.failing.hsa_id, f"{last_month():%Y-%m}", "web_bookings", 3),
    }


def test_a_clinic_reporter_reads_only_their_own_clinics_usage(client, region, admin):
    import_usage(
        usage_file(
            (region.meeting.hsa_id, last_month(), "web_bookings", 12),
            (region.failing.hsa_id, last_month(), "web_bookings", 3),
        ),
        actor=admin,
        file_name="x.csv",
    )
    client.force_login(make_user(Role.CLINIC_REPORTER, clinics=[region.failing]))

    response = client.get(API)

    assert [r["hsa_id"] for r in response.json()["results"]] == [region.failing.hsa_id]
    assert client.get(API, {"hsa_id": region.meeting.hsa_id}).json()["results"] == []


def test_the_api_gives_usage_as_csv(client, region, admin):
    import_usage(
        usage_file((region.meeting.hsa_id, last_month(), "video_visits", 5)),
        actor=admin,
        file_name="x.csv",
    )
    client.force_login(make_user(Role.VIEWER))

    response = client.get(API, {"format": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["clinic", "hsa_id", "clinic_name", "month", "measure", "value"]
    assert rows[1][1:] == [
        region.meeting.hsa_id,
        region.meeting.name,
        f"{last_month():%Y-%m}",
        "video_visits",
        "5",
    ]


def test_the_api_refuses_a_bad_month_with_a_field_error(client, region):
    client.force_login(make_user(Role.VIEWER))

    response = client.get(API, {"month": "oktober"})

    assert response.status_code == 400
    assert "month" in error_fields(response)


def test_the_api_refuses_anonymous_readers(client, db):
    assert client.get(API).status_code in (401, 403)
