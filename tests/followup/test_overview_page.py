"""The region overview: every clinic against the seven baseline areas, totals over the whole
filtered view, the API's filters plus the report state, sorting and pagination, in a
constant number of queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from clinics.models import Clinic, Provider, Report, ReportingStatus, ReportState, Role
from clinics.services.rounds import open_round
from clinics.timeline import rewrite_timelines
from requirements.models import Area
from requirements.vocabulary import (
    AreaStatus,
    CareType,
    ClinicKind,
    ContractForm,
    Municipality,
)
from tests.api.helpers import approve_answers, bulk_approved_reports
from tests.factories import REGION_HALLAND_ORG_NR, make_clinic, make_provider, make_user

OVERVIEW = reverse("overview")
EXPORT_CSV = reverse("overview_export_csv")


@pytest.fixture(autouse=True)
def english(client):
    """Pages are asserted in English, the msgid language; Swedish comes from the .po."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


# Builders shared with the export tests


def report_in_state(clinic: Clinic, version, state: str) -> Report:
    """A report that is not approved, straight into the table: the overview reads only
    its state, and the services that move reports are tested on their own."""
    reporter = make_user(Role.CLINIC_REPORTER, clinics=[clinic])
    submitted = state != ReportState.DRAFT
    Report.objects.filter(clinic=clinic, is_latest=True).update(is_latest=False)
    return Report.objects.create(
        clinic=clinic,
        catalogue_version=version,
        state=state,
        submitted_at=timezone.now() if submitted else None,
        submitted_by=reporter if submitted else None,
        # Someone started it (a reporter, who answered in it).
        started_at=timezone.now(),
        is_latest=True,
    )


class Region:
    """Six clinics whose totals are known: one meets the whole baseline, one fails one
    requirement, one never reported, and three have a report that is not approved."""

    def __init__(self, catalogue):
        self.region = make_provider(
            name="Region Halland", organisation_number=REGION_HALLAND_ORG_NR, kind="region"
        )
        self.private = make_provider(name="Tandvård Privat AB")
        self.meeting = make_clinic(
            name="Vårdcentralen Andersberg",
            provider=self.region,
            municipality_code=Municipality.HALMSTAD,
        )
        self.failing = make_clinic(
            name="Vårdcentralen Brunnsgatan",
            provider=self.private,
            municipality_code=Municipality.HALMSTAD,
        )
        # Every baseline requirement met, except the first (the clinic's page on 1177).
        bulk_approved_reports([self.meeting, self.failing], catalogue, failing={self.failing.pk})
        self.silent = make_clinic(
            name="Vårdcentralen Centrum",
            provider=self.region,
            municipality_code=Municipality.VARBERG,
        )
        # A private dental clinic: the web booking area does not apply to it.
        self.submitted = make_clinic(
            name="Tandläkarna Dalen",
            provider=self.private,
            kind=ClinicKind.GENERAL_DENTAL,
            care_type=CareType.DENTAL,
            contract_form=ContractForm.PROCURED,
            municipality_code=Municipality.KUNGSBACKA,
        )
        report_in_state(self.submitted, catalogue, ReportState.SUBMITTED)
        self.draft = make_clinic(
            name="Psykiatrin Eken",
            provider=self.region,
            kind=ClinicKind.PSYCHIATRY,
            municipality_code=Municipality.FALKENBERG,
        )
        report_in_state(self.draft, catalogue, ReportState.DRAFT)
        self.returned = make_clinic(
            name="Rehab Fyren",
            provider=self.region,
            kind=ClinicKind.REHABILITATION,
            municipality_code=Municipality.LAHOLM,
        )
        report_in_state(self.returned, catalogue, ReportState.RETURNED)

    @property
    def clinics(self) -> list[Clinic]:
        return [
            self.meeting,
            self.failing,
            self.silent,
            self.submitted,
            self.draft,
            self.returned,
        ]


def bulk_clinics(count: int, *, provider: Provider | None = None, start: int = 0) -> list[Clinic]:
    """``count`` clinics straight into the table, for volume."""
    provider = provider or make_provider()
    owner = provider.organisation_number.replace("-", "")
    municipalities = Municipality.values
    clinics = Clinic.objects.bulk_create(
        Clinic(
            hsa_id=f"SE{owner}-V{number:05d}",
            name=f"Mottagning {number:05d}",
            provider=provider,
            kind=ClinicKind.VARDCENTRAL,
            care_type=CareType.HEALTH,
            municipality_code=municipalities[number % len(municipalities)],
            contract_form=ContractForm.VARDVAL,
        )
        for number in range(start, start + count)
    )
    # Straight into the table, past the register's service: the timelines follow here.
    rewrite_timelines(clinic.pk for clinic in clinics)
    return clinics


def shown(response) -> list[str]:
    """HSA-ids of the whole filtered view, in the page's order (every page)."""
    assert response.status_code == 200, response.content
    overview = response.context["overview"]
    assert overview is not None, response.context["filter_form"].errors
    by_id = dict(Clinic.objects.values_list("pk", "hsa_id"))
    return [by_id[pk] for pk in overview.clinics.values_list("clinic_id", flat=True)]


def signed_in(client, role=Role.VIEWER):
    client.force_login(make_user(role))
    return client


# Who may see it


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER])
def test_admins_reviewers_and_viewers_see_the_overview(client, role, catalogue, clinic):
    response = signed_in(client, role).get(OVERVIEW)

    assert response.status_code == 200
    assert clinic.name in response.content.decode()


def test_a_clinic_reporter_is_refused(client, reporter, catalogue, clinic):
    client.force_login(reporter)

    assert client.get(OVERVIEW).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(OVERVIEW + "?municipality=1380")

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert "next=/oversikt/%3Fmunicipality%3D1380" in response.url


def test_the_home_page_sends_a_viewer_to_the_follow_up(client, viewer):
    client.force_login(viewer)

    assert client.get(reverse("home")).url == reverse("follow_up")


# The table


def test_each_clinic_is_a_row_linking_to_its_page(client, region):
    content = signed_in(client).get(OVERVIEW).content.decode()

    for clinic in region.clinics:
        assert f'href="{reverse("clinic_detail", args=[clinic.pk])}"' in content
        assert clinic.hsa_id in content
    assert "Region Halland" in content
    assert "Falkenberg" in content


def test_the_columns_are_the_areas_of_the_catalogue_in_force(client, region, catalogue):
    response = signed_in(client).get(OVERVIEW)

    names = list(
        Area.objects.filter(version=catalogue, in_baseline=True)
        .order_by("position")
        .values_list("name_en", flat=True)
    )
    assert len(names) == 7
    assert [area.name for area in response.context["overview"].areas] == names
    content = response.content.decode()
    for area, name in zip(response.context["overview"].areas, names, strict=True):
        # Each area's header sorts the table by it, as the other columns do; it shows a
        # short name and gives screen readers (and a tooltip) the full one.
        assert re.search(
            rf'<th scope="col" class="col-area"><a href="\?sort=area%3A{area.code}" '
            rf'title="{re.escape(escape(name))}"><span class="visually-hidden">Sort by: </span>'
            rf'<span aria-hidden="true">[^<]+</span><span class="visually-hidden">'
            rf"{re.escape(escape(name))}</span></a></th>",
            content,
        ), name


def test_each_cell_says_met_not_met_not_applicable_or_not_reported(client, region):
    response = signed_in(client).get(OVERVIEW)

    rows = {row.clinic.pk: row for row in response.context["rows"]}
    areas = [area.code for area in response.context["overview"].areas]
    cells = {pk: dict(zip(areas, row.cells, strict=True)) for pk, row in rows.items()}
    assert set(cells[region.meeting.pk].values()) == {AreaStatus.MET}
    assert cells[region.failing.pk]["hemsida"] == AreaStatus.NOT_MET
    assert cells[region.failing.pk]["npo"] == AreaStatus.MET
    assert set(cells[region.silent.pk].values()) == {AreaStatus.NOT_REPORTED}
    # A private dental clinic has no web booking requirement, and nothing approved yet.
    assert cells[region.submitted.pk]["webbtidbok"] == AreaStatus.NOT_APPLICABLE
    assert cells[region.submitted.pk]["hemsida"] == AreaStatus.NOT_REPORTED
    assert rows[region.meeting.pk].meets_baseline is True
    assert rows[region.failing.pk].meets_baseline is False
    assert rows[region.silent.pk].share == 0


def test_statuses_are_icons_and_words(client, region):
    content = signed_in(client).get(OVERVIEW).content.decode()
    table = content[content.index('id="clinics-caption"') :]

    # In the matrix an area is its icon, with the word for screen readers and as a tooltip;
    # the legend above it says in words what each icon means.
    assert (
        '<span class="status status--ok status--compact" title="Met">'
        '<span class="status__icon" aria-hidden="true">✓</span>'
        '<span class="visually-hidden">Met</span></span>' in table
    )
    assert '<span class="visually-hidden">Not reported</span>' in table
    legend = content[content.index('class="legend"') : content.index('id="clinics-caption"')]
    assert (
        '<span class="status status--ok">'
        '<span class="status__icon" aria-hidden="true">✓</span> Met</span>' in legend
    )
    assert "✗</span> Not met</span>" in content
    assert "?</span> Not reported</span>" in content
    assert "–</span> Not applicable</span>" in content
    assert "</span> Submitted</span>" in content
    assert "</span> None approved</span>" in content
    assert "</span> Nothing under way</span>" in content
    assert "</span> Returned for completion</span>" in content


# Totals


def test_the_totals_count_the_known_region(client, region):
    totals = signed_in(client).get(OVERVIEW).context["totals"]

    assert totals.clinics == 6
    assert totals.meets_baseline == 1
    assert totals.with_approved_report == 2
    assert {total.status: total.count for total in totals.reporting} == {
        ReportingStatus.NONE: 3,
        ReportingStatus.NOT_STARTED: 0,
        ReportingStatus.DRAFT: 1,
        ReportingStatus.SUBMITTED: 1,
        ReportingStatus.RETURNED: 1,
        ReportingStatus.APPROVED: 0,
    }
    areas = {total.area.code: total for total in totals.areas}
    assert (areas["hemsida"].met, areas["hemsida"].not_met) == (1, 1)
    assert areas["hemsida"].not_reported == 4
    assert (areas["webbtidbok"].met, areas["webbtidbok"].not_reported) == (2, 3)
    assert areas["webbtidbok"].not_applicable == 1
    assert (areas["npo"].met, areas["npo"].not_met) == (2, 0)


def test_the_totals_are_shown_as_figures_on_top(client, region):
    content = signed_in(client).get(OVERVIEW).content.decode()

    figures = content.index('class="figures"')
    assert figures < content.index('id="clinics-title"')
    assert re.search(
        r'figure__value">6</span> <span class="figure__label">Clinics in the view', content
    )
    assert re.search(
        r'figure__value">1</span> <span class="figure__label">Meet the whole baseline \(17 %\)',
        content,
    )
    assert re.search(
        r'figure__value">2</span> <span class="figure__label">Have an approved report in force',
        content,
    )


def test_the_totals_follow_the_filter_over_every_page(client, catalogue):
    clinics = bulk_clinics(60, start=0)
    bulk_approved_reports(clinics[:55], catalogue, failing={clinics[0].pk})
    bulk_clinics(5, start=100)  # another provider, filtered away below

    response = signed_in(client).get(OVERVIEW, {"provider": clinics[0].provider_id})

    totals = response.context["totals"]
    assert len(response.context["rows"]) == 50
    assert totals.clinics == 60
    assert totals.meets_baseline == 54
    assert totals.with_approved_report == 55


def test_a_report_approved_through_the_services_shows_at_once(client, region):
    client = signed_in(client)
    before = client.get(OVERVIEW).context["totals"]

    approve_answers(region.silent)
    after = client.get(OVERVIEW).context["totals"]

    assert (before.meets_baseline, after.meets_baseline) == (1, 2)
    assert (before.with_approved_report, after.with_approved_report) == (2, 3)


# Filters


FILTER_CASES = [
    ({"municipality": "1380"}, ["meeting", "failing"]),
    ({"kind": ClinicKind.GENERAL_DENTAL}, ["submitted"]),
    ({"contract_form": ContractForm.PROCURED}, ["submitted"]),
    ({"q": "brunns"}, ["failing"]),
    ({"meets_baseline": "true"}, ["meeting"]),
    ({"meets_baseline": "false", "municipality": "1380"}, ["failing"]),
    ({"reporting": "none"}, ["meeting", "failing", "silent"]),
    ({"reporting": "draft"}, ["draft"]),
    ({"reporting": "submitted"}, ["submitted"]),
    ({"reporting": "returned"}, ["returned"]),
    ({"reporting": "not_started"}, []),
    ({"approved_report": "true"}, ["meeting", "failing"]),
    ({"approved_report": "false"}, ["draft", "returned", "submitted", "silent"]),
    ({"approved_report": "true", "meets_baseline": "false"}, ["failing"]),
]


def test_each_filter_narrows_the_view(client, region):
    client = signed_in(client)
    for query, expected in FILTER_CASES:
        response = client.get(OVERVIEW, query)

        assert shown(response) == [getattr(region, name).hsa_id for name in expected], query
        assert response.context["totals"].clinics == len(expected), query


def test_the_provider_and_the_hsa_id_filter(client, region):
    client = signed_in(client)

    by_provider = shown(client.get(OVERVIEW, {"provider": region.private.pk}))
    by_hsa_id = shown(client.get(OVERVIEW, {"q": region.draft.hsa_id.lower()}))

    assert by_provider == [region.submitted.hsa_id, region.failing.hsa_id]
    assert by_hsa_id == [region.draft.hsa_id]


def test_the_filter_form_keeps_its_values_and_has_labels(client, region):
    content = (
        signed_in(client)
        .get(OVERVIEW, {"municipality": "1380", "reporting": "draft", "q": "Vård"})
        .content.decode()
    )

    assert '<form method="get" action="/oversikt/" class="filters">' in content
    for name in [
        "q",
        "municipality",
        "kind",
        "provider",
        "contract_form",
        "meets_baseline",
        "approved_report",
        "reporting",
    ]:
        assert f'<label for="id_{name}">' in content
    assert '<option value="1380" selected>Halmstad</option>' in content
    assert '<option value="draft" selected>Draft</option>' in content
    assert 'value="Vård"' in content


@pytest.mark.parametrize(
    "query",
    [
        {"municipality": "9999"},
        {"meets_baseline": "maybe"},
        {"reporting": "lost"},
        {"approved_report": "maybe"},
        {"provider": "not-a-number"},
        {"kind": "hospital", "municipality": "1380"},
    ],
)
def test_a_bad_filter_value_is_an_error_and_shows_no_data(client, region, query):
    reports_before = list(Report.objects.values_list("pk", "state"))

    response = signed_in(client).get(OVERVIEW, query)

    assert response.status_code == 200
    assert response.context["overview"] is None
    content = response.content.decode()
    assert "The filter could not be used" in content
    assert 'aria-invalid="true"' in content
    assert "_error" in content
    for clinic in region.clinics:
        assert clinic.hsa_id not in content
    assert list(Report.objects.values_list("pk", "state")) == reports_before


# Pagination


def test_fifty_clinics_a_page_with_links_and_page_x_of_y(client, catalogue):
    bulk_clinics(120)
    client = signed_in(client)

    first = client.get(OVERVIEW, {"municipality": "1380"})
    all_pages = client.get(OVERVIEW)
    last = client.get(OVERVIEW, {"page": 3})

    assert first.context["totals"].clinics == 20
    assert "Page 1 of" not in first.content.decode()
    content = all_pages.content.decode()
    assert len(all_pages.context["rows"]) == 50
    assert "Page 1 of 3" in content
    assert '<a href="?page=2" rel="next">Next page</a>' in content
    assert '<a href="?page=3">Last page</a>' in content
    assert "Previous page" not in content
    assert len(last.context["rows"]) == 20
    assert "Page 3 of 3" in last.content.decode()
    assert '<a href="?page=2" rel="prev">Previous page</a>' in last.content.decode()
    names = [row.clinic.name for row in last.context["rows"]]
    assert names == [f"Mottagning {n:05d}" for n in range(100, 120)]


def test_a_page_number_out_of_range_shows_a_page_that_exists(client, catalogue):
    bulk_clinics(60)
    client = signed_in(client)

    assert client.get(OVERVIEW, {"page": "99"}).context["page"].number == 2
    assert client.get(OVERVIEW, {"page": "two"}).context["page"].number == 1


# Cost


def _queries(client, query: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(OVERVIEW, query)
    assert response.status_code == 200
    assert response.context["overview"] is not None
    return len(queries)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"sort": "-share", "page": "2"},
        {"meets_baseline": "true", "approved_report": "true", "municipality": "1380"},
        {"reporting": "not_started"},
    ],
)
def test_the_number_of_queries_is_the_same_for_10_and_1000_clinics(client, catalogue, query):
    client = signed_in(client)
    first = bulk_clinics(10)
    bulk_approved_reports(first[:5], catalogue, failing={first[0].pk})
    few = _queries(client, query)

    more = bulk_clinics(990, start=10)
    bulk_approved_reports(more[:20], catalogue, failing={more[0].pk})
    many = _queries(client, query)

    assert few == many
    assert many <= 20


def test_opening_a_round_never_hides_the_approvals_that_still_count(client, region):
    """The approved report counts until a new one is approved; the round's drafts show
    beside it, each state with its own label, on the page, in the filter and the file."""
    client = signed_in(client)
    admin = make_user(Role.REGION_ADMIN)
    open_round(
        name="Omgång 2027",
        deadline=timezone.localdate() + timedelta(days=30),
        clinics=Clinic.objects.all(),
        selection={"all": True},
        actor=admin,
    )

    totals = client.get(OVERVIEW).context["totals"]
    assert totals.with_approved_report == 2
    reporting = {total.status: total.count for total in totals.reporting}
    # The round opened a draft for the two approved and the one silent clinic.
    assert reporting[ReportingStatus.NOT_STARTED] == 3
    assert reporting[ReportingStatus.NONE] == 0
    approved = client.get(OVERVIEW, {"approved_report": "true"})
    assert shown(approved) == [region.meeting.hsa_id, region.failing.hsa_id]
    not_started = client.get(OVERVIEW, {"reporting": "not_started", "approved_report": "true"})
    assert shown(not_started) == [region.meeting.hsa_id, region.failing.hsa_id]

    lines = b"".join(client.get(EXPORT_CSV, {"q": "Andersberg"}).streaming_content)
    header, row = lines.decode("utf-8-sig").splitlines()[:2]
    columns = dict(zip(header.split(";"), row.split(";"), strict=True))
    approval = Report.objects.get(clinic=region.meeting, state=ReportState.APPROVED)
    approved_on = timezone.localdate(approval.decided_at).isoformat()
    assert columns["Approved report in force, approved on"] == approved_on
    assert columns["Reporting under way"] == "Not started"
