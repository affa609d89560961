"""The read-only list of exemption cases, for everyone who reads them: regional staff see
every case, a clinic reporter only their own clinics'; its filters, order and downloads."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinics.models import CaseState, ExemptionCase, Role
from clinics.services.cases import revoke_case
from requirements.vocabulary import ExemptionKind, Municipality
from tests.api.test_cases import approved, new_case, submitted
from tests.factories import make_clinic, make_user

LIST = reverse("exemption_list")
CSV = reverse("exemption_export_csv")
XLSX = reverse("exemption_export_xlsx")
QUEUE = reverse("case_queue")
NPO = "npo.ansluten"

SWEDISH_HEADER = [
    "Ärende",
    "HSA-id",
    "Mottagning",
    "Kommun",
    "Typ av ärende",
    "Område",
    "Krav",
    "Undantag",
    "Status",
    "Ansökt från och med",
    "Ansökt till och med",
    "Gäller från och med",
    "Gäller till och med",
    "Dagar kvar",
    "Inskickad",
    "Beslutad",
    "Beslutad av",
]


def listed(response) -> list[int]:
    assert response.status_code == 200, response.content[:500]
    return [row.case.pk for row in response.context["rows"]]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    text = body(response).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def xlsx_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)), read_only=True)
    return [
        ["" if value is None else str(value) for value in row]
        for row in workbook.worksheets[0].iter_rows(values_only=True)
    ]


@pytest.fixture
def other_reporter(other_clinic):
    return make_user(Role.CLINIC_REPORTER, clinics=[other_clinic])


@pytest.fixture
def cases(catalogue, clinic, reporter, other_clinic, other_reporter):
    """Ours: approved for 90 days, approved for 10 days, submitted; theirs: a draft."""
    return {
        "long": approved(clinic, reporter, catalogue, days=90),
        "short": approved(clinic, reporter, catalogue, days=10),
        "waiting": submitted(clinic, reporter, catalogue),
        "theirs": new_case(other_clinic, other_reporter, catalogue),
    }


# --- Who may see it -------------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in(client, db):
    for url in (LIST, CSV, XLSX):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["region_admin", "viewer", "reviewer"])
def test_regional_staff_see_every_clinics_cases(client, request, role, cases):
    client.force_login(request.getfixturevalue(role))

    assert set(listed(client.get(LIST))) == {case.pk for case in cases.values()}


def test_a_reporter_sees_only_their_own_clinics_cases(client, reporter, cases):
    client.force_login(reporter)

    shown = listed(client.get(LIST))
    exported = [row[0] for row in csv_rows(client.get(CSV))[1:]]
    in_workbook = [row[0] for row in xlsx_rows(client.get(XLSX))[1:]]

    ours = {cases["long"].pk, cases["short"].pk, cases["waiting"].pk}
    assert set(shown) == ours
    assert set(exported) == set(in_workbook) == {str(pk) for pk in ours}


def test_a_coordinator_sees_every_clinic_of_their_provider(
    client, catalogue, clinic, sibling_clinic, coordinator, reporter, other_clinic, other_reporter
):
    ours = [
        submitted(clinic, reporter, catalogue),
        submitted(sibling_clinic, coordinator, catalogue),
    ]
    new_case(other_clinic, other_reporter, catalogue)
    client.force_login(coordinator)

    assert set(listed(client.get(LIST))) == {case.pk for case in ours}


@pytest.mark.parametrize("role", ["region_admin", "viewer", "reporter"])
def test_the_case_queue_sends_everyone_but_reviewers_to_the_list(client, request, role):
    client.force_login(request.getfixturevalue(role))

    response = client.get(QUEUE)

    assert response.status_code == 302
    assert response.url == LIST


def test_a_reviewer_keeps_the_queue_with_a_link_to_the_list(client, reviewer, cases):
    client.force_login(reviewer)

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert f'href="{LIST}"' in response.content.decode()


@pytest.mark.parametrize("role", ["region_admin", "viewer"])
def test_the_report_review_queue_stays_for_reviewers(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse("review_queue")).status_code == 403


@pytest.mark.parametrize("role", ["region_admin", "viewer", "reviewer", "reporter"])
def test_the_header_links_to_the_cases(client, request, role, cases):
    client.force_login(request.getfixturevalue(role))
    target = QUEUE if role == "reviewer" else LIST

    html = client.get(LIST).content.decode()

    assert f'href="{target}"' in html


def test_the_list_only_reads(client, viewer, cases):
    client.force_login(viewer)

    html = client.get(LIST).content.decode()

    assert 'method="post"' not in html.split("</header>", 1)[1]
    assert client.post(LIST).status_code == 405
    assert ExemptionCase.objects.get(pk=cases["waiting"].pk).state == CaseState.SUBMITTED


# --- Order and filters ------------------------------------------------------------------


def test_approved_cases_come_first_ending_soonest_then_those_waiting(client, viewer, cases):
    client.force_login(viewer)

    assert listed(client.get(LIST)) == [
        cases["short"].pk,
        cases["long"].pk,
        cases["waiting"].pk,
        cases["theirs"].pk,
    ]


def test_it_filters_by_state(client, viewer, cases):
    client.force_login(viewer)

    assert listed(client.get(LIST, {"state": "submitted"})) == [cases["waiting"].pk]
    assert listed(client.get(LIST, {"state": "draft"})) == [cases["theirs"].pk]


def test_ending_within_days_counts_from_the_day(client, viewer, cases):
    client.force_login(viewer)
    in_20_days = (timezone.localdate() + timedelta(days=20)).isoformat()

    assert listed(client.get(LIST, {"state": "ending", "within_days": 30})) == [cases["short"].pk]
    assert listed(client.get(LIST, {"state": "ending"})) == [cases["short"].pk, cases["long"].pk]
    # Twenty days on, the short one has ended and the long one ends within 90 days.
    assert listed(client.get(LIST, {"state": "ending", "on_date": in_20_days})) == [
        cases["long"].pk
    ]


def test_in_force_on_a_day_is_what_the_timeline_counts(
    client, catalogue, clinic, reporter, reviewer, viewer, cases
):
    today = timezone.localdate()
    # Another of the reporter's clinics: ours already has its request for this exemption.
    second = make_clinic()
    reporter.clinics.add(second)
    revoked = approved(second, reporter, catalogue, days=200)
    revoke_case(case=revoked, actor=reviewer, comment="Det nya journalsystemet är infört.")
    client.force_login(viewer)

    in_force_today = listed(client.get(LIST, {"state": "in_force"}))
    in_force_later = listed(
        client.get(
            LIST, {"state": "in_force", "on_date": (today + timedelta(days=30)).isoformat()}
        )
    )

    # Revoked today, it counted until yesterday only; the submitted one never counts.
    assert in_force_today == [cases["short"].pk, cases["long"].pk]
    assert in_force_later == [cases["long"].pk]


def test_it_filters_by_requirement_kind_municipality_and_last_day(
    client, catalogue, reporter, viewer, cases
):
    varberg = make_clinic(municipality_code=Municipality.VARBERG)
    npo = new_case(
        varberg,
        make_user(Role.CLINIC_REPORTER, clinics=[varberg]),
        catalogue,
        requirement=catalogue.requirements.get(code=NPO),
        exemption_kind=ExemptionKind.DOCUMENTATION_OTHERWISE_AVAILABLE,
    )
    last_day = (timezone.localdate() + timedelta(days=30)).isoformat()
    client.force_login(viewer)

    assert listed(client.get(LIST, {"requirement": NPO})) == [npo.pk]
    assert listed(client.get(LIST, {"municipality": Municipality.VARBERG})) == [npo.pk]
    assert listed(client.get(LIST, {"kind": "platform_approval"})) == []
    assert listed(client.get(LIST, {"valid_until_to": last_day})) == [cases["short"].pk]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("state", "maybe"),
        ("on_date", "2026-13-01"),
        ("within_days", "ten"),
        ("within_days", "0"),
        ("requirement", "no.such.requirement"),
        ("municipality", "9999"),
        ("valid_until_to", "tomorrow"),
    ],
)
def test_a_bad_filter_is_a_field_error_and_no_list(client, viewer, cases, field, value):
    client.force_login(viewer)

    for url in (LIST, CSV, XLSX):
        response = client.get(url, {field: value})
        assert response.status_code == 400
        assert response.context["form"].errors[field]
        assert "rows" not in response.context


def test_a_bad_filter_is_explained_in_swedish(client, viewer, cases):
    client.force_login(viewer)

    html = client.get(LIST, {"within_days": "tio"}, HTTP_ACCEPT_LANGUAGE="sv").content.decode()

    assert "Fyll i ett heltal." in html


# --- Downloads ------------------------------------------------------------------------


def test_the_csv_holds_exactly_the_filtered_cases_in_order_with_swedish_headers(
    client, viewer, cases
):
    client.force_login(viewer)

    response = client.get(CSV, {"state": "ending"})
    rows = csv_rows(response)

    assert response["Content-Disposition"].startswith(
        'attachment; filename="digitalt-utbud-undantag-'
    )
    assert rows[0] == SWEDISH_HEADER
    assert [row[0] for row in rows[1:]] == [str(cases["short"].pk), str(cases["long"].pk)]
    short = dict(zip(SWEDISH_HEADER, rows[1], strict=True))
    case = cases["short"]
    assert short["HSA-id"] == case.clinic.hsa_id
    assert short["Kommun"] == "Halmstad"
    assert short["Status"] == "Godkänd"
    assert short["Gäller till och med"] == case.valid_until.isoformat()
    assert short["Dagar kvar"] == "10"


def test_the_xlsx_has_the_same_rows_as_the_csv(client, viewer, cases):
    client.force_login(viewer)

    for query in ({}, {"state": "approved"}, {"municipality": Municipality.VARBERG}):
        assert xlsx_rows(client.get(XLSX, query)) == csv_rows(client.get(CSV, query))


def test_names_that_look_like_formulas_are_neutralised_in_the_csv(client, catalogue, viewer):
    clinic = make_clinic(name="=HYPERLINK(1)")
    submitted(clinic, make_user(Role.CLINIC_REPORTER, clinics=[clinic]), catalogue)
    client.force_login(viewer)

    assert csv_rows(client.get(CSV))[1][2] == "'=HYPERLINK(1)"


# --- Cost -----------------------------------------------------------------------------


def _add_cases(catalogue, count: int) -> None:
    for n in range(count):
        clinic = make_clinic()
        reporter = make_user(Role.CLINIC_REPORTER, clinics=[clinic])
        if n % 2:
            approved(clinic, reporter, catalogue, days=5 + n)
        else:
            submitted(clinic, reporter, catalogue)


def _queries(client, url, query) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
        body(response)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [LIST, CSV, XLSX])
@pytest.mark.parametrize("query", [{}, {"state": "ending", "municipality": "1380"}])
def test_the_list_and_its_files_cost_the_same_for_3_and_30_cases(
    client, catalogue, viewer, url, query, django_assert_num_queries
):
    client.force_login(viewer)
    _add_cases(catalogue, 3)
    few = _queries(client, url, query)
    _add_cases(catalogue, 27)

    with django_assert_num_queries(few):
        body(client.get(url, query))
    assert ExemptionCase.objects.count() == 30


def test_a_reporters_list_costs_the_same_for_3_and_30_cases(
    client, catalogue, clinic, reporter, django_assert_num_queries
):
    def add(count):
        # One clinic one request: a clinic has one open request for an exemption.
        for _ in range(count):
            each = make_clinic()
            reporter.clinics.add(each)
            submitted(each, reporter, catalogue)

    client.force_login(reporter)
    add(3)
    few = _queries(client, LIST, {})
    add(27)

    with django_assert_num_queries(few):
        body(client.get(LIST))
