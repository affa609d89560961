"""The review pages: reviewers see the queue oldest first, compare a report with the
clinic's last approved one, and approve or return it through the services."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from clinics.models import Answer, Report, ReportingRound, ReportState, Role
from clinics.services.reports import approve_report, save_answer, start_report, submit_report
from requirements.vocabulary import AnswerStatus, Channel, ClinicKind, Municipality
from tests.api.helpers import approve_answers
from tests.factories import make_clinic, make_provider, make_user

QUEUE = reverse("review_queue")


@pytest.fixture(autouse=True)
def english(client):
    """Pages are asserted in English, the msgid language; Swedish comes from the .po."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def review_url(report: Report) -> str:
    return reverse("review_report", args=[report.pk])


def submitted_report(clinic, *, reporter=None, changes: dict[str, dict] | None = None) -> Report:
    """A report submitted through the services: every applicable requirement answered
    (or kept from the last approved report), then ``changes`` saved: code -> answer fields."""
    reporter = reporter or make_user(Role.CLINIC_REPORTER, clinics=[clinic])
    report = start_report(clinic=clinic, actor=reporter)
    requirements = {r.code: r for r in report.catalogue_version.requirements.all()}
    answered = set(report.answers.values_list("requirement__code", flat=True))
    for code, requirement in requirements.items():
        if code not in answered:
            save_answer(
                report=report,
                requirement=requirement,
                actor=reporter,
                status=AnswerStatus.MET,
                channel=Channel.E_SERVICES_1177 if requirement.asks_channel else "",
                evidence_url=f"https://www.1177.se/underlag/{code}",
            )
    for code, fields in (changes or {}).items():
        save_answer(report=report, requirement=requirements[code], actor=reporter, **fields)
    return submit_report(report=report, actor=reporter)


def bulk_report(clinic, version, *, state=ReportState.SUBMITTED, answers=0, **fields) -> Report:
    """A report straight into the tables (for volume), with answers to the first
    ``answers`` requirements of the catalogue."""
    reporter = fields.setdefault("submitted_by", make_user(Role.CLINIC_REPORTER, clinics=[clinic]))
    now = timezone.now()
    fields.setdefault("submitted_at", now)
    if state in (ReportState.APPROVED, ReportState.RETURNED):
        fields.setdefault("decided_at", now)
    report = Report.objects.create(clinic=clinic, catalogue_version=version, state=state, **fields)
    Answer.objects.bulk_create(
        Answer(
            report=report,
            requirement=requirement,
            status=AnswerStatus.MET,
            evidence_url=f"https://www.1177.se/underlag/{requirement.code}",
            reported_by=reporter,
            reported_at=now,
        )
        for requirement in version.requirements.order_by("position")[:answers]
    )
    return report


def post_decision(client, report, action, comment="", **answer_comments):
    data = {"action": action, "comment": comment, **answer_comments}
    return client.post(review_url(report), data)


# --- Who may use the pages ------------------------------------------------------------


@pytest.fixture
def report(catalogue, clinic):
    return bulk_report(clinic, catalogue, answers=3)


def test_anonymous_users_are_sent_to_sign_in(client, report):
    for url in (QUEUE, review_url(report)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_reviewer_opens_the_queue_and_the_review_page(client, reviewer, report):
    client.force_login(reviewer)
    assert client.get(QUEUE).status_code == 200
    assert client.get(review_url(report)).status_code == 200


@pytest.mark.parametrize("role", ["region_admin", "viewer", "reporter"])
def test_other_roles_are_refused_both_pages(client, request, role, report):
    client.force_login(request.getfixturevalue(role))
    assert client.get(QUEUE).status_code == 403
    assert client.get(review_url(report)).status_code == 403


@pytest.mark.parametrize("role", ["region_admin", "viewer", "reporter"])
def test_other_roles_cannot_decide_and_nothing_changes(client, request, role, report):
    client.force_login(request.getfixturevalue(role))
    response = post_decision(client, report, "approve")
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert not report.events.exists()


def test_a_reporter_of_another_clinic_is_refused_the_clinics_review_page(
    client, catalogue, other_clinic, reporter
):
    other_report = bulk_report(other_clinic, catalogue, answers=1)
    client.force_login(reporter)
    assert client.get(review_url(other_report)).status_code in (403, 404)


def test_a_report_that_does_not_exist_is_not_found(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("review_report", args=[999999])).status_code == 404


# --- The queue ----------------------------------------------------------------------


def test_the_queue_lists_submitted_reports_the_oldest_first(client, catalogue, reviewer):
    now = timezone.now()
    middle = bulk_report(make_clinic(name="Mitten"), catalogue, submitted_at=now - timedelta(2))
    newest = bulk_report(make_clinic(name="Nyast"), catalogue, submitted_at=now)
    oldest = bulk_report(make_clinic(name="Äldst"), catalogue, submitted_at=now - timedelta(9))
    bulk_report(make_clinic(name="Utkast"), catalogue, state=ReportState.DRAFT)
    bulk_report(make_clinic(name="Klar"), catalogue, state=ReportState.APPROVED)
    client.force_login(reviewer)

    response = client.get(QUEUE)

    assert list(response.context["page"].object_list) == [oldest, middle, newest]
    html = response.content.decode()
    assert html.index("Äldst") < html.index("Mitten") < html.index("Nyast")
    assert "Utkast" not in html
    assert "Klar" not in html


def test_the_queue_shows_what_the_reviewer_needs_to_pick_a_report(
    client, catalogue, reviewer, region_admin
):
    provider = make_provider(name="Hälsa i Halland AB")
    clinic = make_clinic(
        name="Vårdcentralen Tången", provider=provider, municipality_code=Municipality.VARBERG
    )
    submitter = make_user(Role.CLINIC_REPORTER, first_name="Karin", last_name="Berg")
    round_ = ReportingRound.objects.create(
        name="Uppföljning 2026", deadline=timezone.localdate(), opened_by=region_admin
    )
    report = bulk_report(
        clinic,
        catalogue,
        round=round_,
        submitted_by=submitter,
        submitted_at=timezone.now() - timedelta(days=3),
    )
    client.force_login(reviewer)

    html = client.get(QUEUE).content.decode()

    for text in (
        f'href="{review_url(report)}">Vårdcentralen Tången</a>',
        clinic.hsa_id,
        "Hälsa i Halland AB",
        "Varberg",
        "Uppföljning 2026",
        "Karin Berg",
        "3\xa0days",
    ):
        assert text in html


@pytest.fixture
def varied_queue(catalogue, region_admin):
    """Three submitted reports that differ in municipality, provider, kind and round."""
    round_ = ReportingRound.objects.create(
        name="Uppföljning 2026", deadline=timezone.localdate(), opened_by=region_admin
    )
    provider = make_provider(name="Tandhälsan AB")
    return {
        "halmstad": bulk_report(
            make_clinic(name="Alfa", municipality_code=Municipality.HALMSTAD),
            catalogue,
            round=round_,
        ),
        "varberg": bulk_report(
            make_clinic(name="Beta", municipality_code=Municipality.VARBERG),
            catalogue,
        ),
        "dental": bulk_report(
            make_clinic(
                name="Gamma",
                provider=provider,
                kind=ClinicKind.GENERAL_DENTAL,
                care_type="dental",
                municipality_code=Municipality.KUNGSBACKA,
                hsa_id=f"SE{provider.organisation_number.replace('-', '')}-GAMMA1",
            ),
            catalogue,
        ),
        "round": round_,
        "provider": provider,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda q: {"municipality": Municipality.VARBERG}, ["varberg"]),
        (lambda q: {"provider": q["provider"].pk}, ["dental"]),
        (lambda q: {"kind": ClinicKind.GENERAL_DENTAL}, ["dental"]),
        (lambda q: {"round": q["round"].pk}, ["halmstad"]),
        (lambda q: {"q": "gamma1"}, ["dental"]),  # part of the HSA-id
        (lambda q: {"q": "tandhälsan"}, ["dental"]),  # the provider's name
        (lambda q: {"q": "bet"}, ["varberg"]),  # the clinic's name
        (lambda q: {}, ["halmstad", "varberg", "dental"]),
    ],
)
def test_the_queue_filters(client, reviewer, varied_queue, params, expected):
    client.force_login(reviewer)
    response = client.get(QUEUE, params(varied_queue))
    assert set(response.context["page"].object_list) == {varied_queue[key] for key in expected}


def test_every_filter_has_a_label(client, reviewer, varied_queue):
    client.force_login(reviewer)
    html = client.get(QUEUE).content.decode()
    for name in ("municipality", "provider", "kind", "round", "q"):
        assert f'<label for="id_{name}">' in html


def test_an_unknown_filter_value_is_shown_next_to_the_field_and_ignored(
    client, reviewer, varied_queue
):
    client.force_login(reviewer)
    response = client.get(QUEUE, {"municipality": "9999", "kind": ClinicKind.GENERAL_DENTAL})
    assert set(response.context["page"].object_list) == {varied_queue["dental"]}
    html = response.content.decode()
    assert 'id="id_municipality_error"' in html
    assert 'aria-invalid="true"' in html


def test_returned_reports_are_listed_apart_as_awaiting_the_clinic(client, catalogue, reviewer):
    waiting = bulk_report(make_clinic(name="Väntar"), catalogue)
    returned = bulk_report(make_clinic(name="Återsänd"), catalogue, state=ReportState.RETURNED)
    client.force_login(reviewer)

    response = client.get(QUEUE)

    assert list(response.context["page"].object_list) == [waiting]
    assert response.context["returned"] == [returned]
    assert "Returned, awaiting the clinic: 1 report" in response.content.decode()


def test_the_queue_shows_fifty_reports_a_page(client, catalogue, reviewer):
    now = timezone.now()
    for n in range(52):
        bulk_report(make_clinic(), catalogue, submitted_at=now - timedelta(minutes=n))
    client.force_login(reviewer)

    first = client.get(QUEUE)
    second = client.get(QUEUE, {"page": 2})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 2
    assert "?page=2" in first.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_queue_takes_the_same_number_of_queries_for_3_and_60_reports(
    client, catalogue, reviewer, region_admin
):
    round_ = ReportingRound.objects.create(
        name="Uppföljning 2026", deadline=timezone.localdate(), opened_by=region_admin
    )

    def add(count):
        for _n in range(count):
            bulk_report(make_clinic(), catalogue, round=round_)
            bulk_report(make_clinic(), catalogue, state=ReportState.RETURNED)

    client.force_login(reviewer)
    add(3)
    few = _queries(client, QUEUE)
    add(57)
    many = _queries(client, QUEUE)

    assert few == many


# --- The review page ----------------------------------------------------------------


@pytest.fixture
def compared(catalogue, clinic):
    """A submitted report in which one answer differs from the last approved report."""
    approve_answers(clinic)
    return submitted_report(
        clinic,
        changes={
            "hemsida.sida_1177": {
                "status": AnswerStatus.NOT_MET,
                "comment": "Sidan är under omarbetning.",
            }
        },
    )


def _rows(response) -> dict[str, object]:
    return {
        row.answer.requirement.code: row
        for _area, rows in response.context["areas"]
        for row in rows
    }


def test_the_review_page_shows_this_and_last_rounds_answers_side_by_side(
    client, reviewer, compared
):
    client.force_login(reviewer)

    response = client.get(review_url(compared))

    rows = _rows(response)
    assert len(rows) == compared.answers.count()
    changed = rows["hemsida.sida_1177"]
    assert (changed.answer.status, changed.previous.status) == (
        AnswerStatus.NOT_MET,
        AnswerStatus.MET,
    )
    assert changed.previous.report.state == ReportState.APPROVED
    assert [code for code, row in rows.items() if row.changed] == ["hemsida.sida_1177"]
    html = response.content.decode()
    assert html.count('aria-hidden="true">↻</span> Changed') == 1
    assert "Sidan är under omarbetning." in html
    assert "Kommentar om hemsida.sida_1177" in html  # last round's comment, beside it


def test_answers_are_grouped_by_area_in_catalogue_order(client, reviewer, compared):
    client.force_login(reviewer)

    response = client.get(review_url(compared))

    areas = [area for area, _rows in response.context["areas"]]
    assert [area.position for area in areas] == sorted(area.position for area in areas)
    html = response.content.decode()
    positions = [html.index(f'<h2 id="area-{area.code}">') for area in areas]
    assert positions == sorted(positions)


def test_every_answer_has_a_comment_field_labelled_with_its_requirement(
    client, reviewer, compared
):
    client.force_login(reviewer)
    html = client.get(review_url(compared)).content.decode()
    for answer in compared.answers.select_related("requirement"):
        assert f'<label for="id_answer_{answer.pk}" class="visually-hidden">' in html
        assert escape(f"Your comment on “{answer.requirement.name_en}”") in html


def test_a_first_report_has_nothing_to_compare_with(client, catalogue, clinic, reviewer):
    report = submitted_report(clinic)
    client.force_login(reviewer)

    response = client.get(review_url(report))

    assert all(row.previous is None and not row.changed for row in _rows(response).values())
    assert "No approved answer" in response.content.decode()


def test_approving_moves_the_report_to_approved_and_records_the_reviewer(
    client, reviewer, compared
):
    client.force_login(reviewer)

    response = post_decision(client, compared, "approve", comment="Bra redovisat.")

    assert response.status_code == 302
    assert response.url == QUEUE
    compared.refresh_from_db()
    assert (compared.state, compared.decided_by, compared.review_comment) == (
        ReportState.APPROVED,
        reviewer,
        "Bra redovisat.",
    )
    event = compared.events.last()
    assert (event.actor, event.from_state, event.to_state) == (
        reviewer,
        ReportState.SUBMITTED,
        ReportState.APPROVED,
    )
    assert "was approved" in client.get(QUEUE).content.decode()


def test_returning_stores_the_comments_on_the_answers_and_moves_it_to_returned(
    client, reviewer, compared
):
    commented = compared.answers.get(requirement__code="hemsida.sida_1177")
    other = compared.answers.exclude(pk=commented.pk).first()
    client.force_login(reviewer)

    response = post_decision(
        client,
        compared,
        "return",
        **{f"answer_{commented.pk}": "Länka till den nya sidan när den är klar."},
    )

    assert response.status_code == 302
    compared.refresh_from_db()
    assert compared.state == ReportState.RETURNED
    commented.refresh_from_db()
    other.refresh_from_db()
    assert commented.review_comment == "Länka till den nya sidan när den är klar."
    assert other.review_comment == ""
    event = compared.events.last()
    assert (event.actor, event.to_state) == (reviewer, ReportState.RETURNED)
    assert "was returned to the clinic" in client.get(QUEUE).content.decode()


def test_returning_without_any_comment_is_refused_and_nothing_changes(client, reviewer, compared):
    events = compared.events.count()
    client.force_login(reviewer)

    response = post_decision(client, compared, "return", comment="  ")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_comment_error"' in html
    assert "Write what the clinic needs to complete" in html
    assert 'aria-describedby="id_comment_helptext id_comment_error"' in html
    compared.refresh_from_db()
    assert compared.state == ReportState.SUBMITTED
    assert compared.events.count() == events


def test_a_comment_beside_an_answer_is_not_lost_on_approval(client, reviewer, compared):
    answer = compared.answers.first()
    client.force_login(reviewer)

    response = post_decision(client, compared, "approve", **{f"answer_{answer.pk}": "Oklart."})

    assert response.status_code == 200
    assert f'id="id_answer_{answer.pk}_error"' in response.content.decode()
    assert "Oklart." in response.content.decode()  # kept for the reviewer to move
    compared.refresh_from_db()
    assert compared.state == ReportState.SUBMITTED


def test_earlier_comments_stand_in_the_fields_and_do_not_block_an_approval(
    client, reviewer, compared
):
    answer = compared.answers.first()
    Answer.objects.filter(pk=answer.pk).update(review_comment="Rad ett\nrad två")
    client.force_login(reviewer)

    form = client.get(review_url(compared)).context["form"]
    # The browser sends the unchanged text back with CRLF line breaks.
    response = post_decision(
        client, compared, "approve", **{f"answer_{answer.pk}": "Rad ett\r\nrad två"}
    )

    assert form[f"answer_{answer.pk}"].value() == "Rad ett\nrad två"
    assert response.status_code == 302
    compared.refresh_from_db()
    assert compared.state == ReportState.APPROVED


def test_a_reviewer_who_answered_in_the_report_is_refused(client, reviewer, compared):
    answer = compared.answers.first()
    Answer.objects.filter(pk=answer.pk).update(reported_by=reviewer)
    events = compared.events.count()
    client.force_login(reviewer)

    page = client.get(review_url(compared))
    response = post_decision(client, compared, "approve")

    assert "may not decide on it" in page.content.decode()
    assert page.context["form"] is None
    assert response.status_code == 403
    assert "You may not review a report" in response.content.decode()
    compared.refresh_from_db()
    assert (compared.state, compared.decided_by) == (ReportState.SUBMITTED, None)
    assert compared.events.count() == events


def test_deciding_a_report_someone_else_already_approved_shows_why_and_changes_nothing(
    client, reviewer, compared
):
    colleague = make_user(Role.REVIEWER)
    approve_report(report=compared, actor=colleague)
    events = compared.events.count()
    client.force_login(reviewer)

    response = post_decision(client, compared, "return", comment="Saknar länkar.")

    assert response.status_code == 409
    html = response.content.decode()
    assert "cannot be returned" in html
    assert "read-only" in html
    assert response.context["form"] is None
    compared.refresh_from_db()
    assert (compared.state, compared.decided_by) == (ReportState.APPROVED, colleague)
    assert compared.events.count() == events


def test_a_report_submitted_again_after_the_page_was_opened_is_not_decided_unseen(
    client, reviewer, compared
):
    client.force_login(reviewer)
    seen = client.get(review_url(compared)).context["form"]["submitted_at"].value()
    Report.objects.filter(pk=compared.pk).update(submitted_at=timezone.now() + timedelta(1))

    response = client.post(
        review_url(compared), {"action": "approve", "comment": "", "submitted_at": seen}
    )

    assert response.status_code == 400
    assert "submitted the report again" in response.content.decode()
    compared.refresh_from_db()
    assert compared.state == ReportState.SUBMITTED


@pytest.mark.parametrize("state", [ReportState.DRAFT, ReportState.RETURNED, ReportState.APPROVED])
def test_a_report_not_waiting_for_review_is_shown_read_only(
    client, catalogue, clinic, reviewer, state
):
    report = bulk_report(clinic, catalogue, state=state, answers=2)
    client.force_login(reviewer)

    response = client.get(review_url(report))

    html = response.content.decode()
    assert response.context["form"] is None
    assert f'<form method="post" action="{review_url(report)}"' not in html
    assert 'name="action"' not in html
    assert "read-only" in html
    assert "status--" in html
    assert str(ReportState(state).label) in html


def test_the_review_page_does_not_query_per_answer(client, catalogue, reviewer):
    few_clinic, many_clinic = make_clinic(), make_clinic()
    earlier = timezone.now() - timedelta(days=400)
    for clinic_, count in ((few_clinic, 2), (many_clinic, 40)):
        bulk_report(
            clinic_, catalogue, state=ReportState.APPROVED, answers=count, decided_at=earlier
        )
    few = bulk_report(few_clinic, catalogue, answers=2)
    many = bulk_report(many_clinic, catalogue, answers=40)
    client.force_login(reviewer)

    assert _queries(client, review_url(few)) == _queries(client, review_url(many))
