"""The self-report pages: a reporter's clinics, starting a report, and the report form."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from clinics.models import Answer, Report, ReportEvent, ReportingRound, ReportState, Role
from clinics.services.reports import return_report, save_answer, start_report, submit_report
from requirements.vocabulary import AnswerStatus, CareType, Channel, ClinicKind, ProviderKind
from tests.api.helpers import approve_answers, bulk_approved_reports
from tests.factories import make_clinic, make_provider, make_user

# --- helpers --------------------------------------------------------------------------


def applicable(report):
    profile = report.clinic.profile()
    return [
        requirement
        for requirement in report.catalogue_version.requirements.select_related("area").order_by(
            "position"
        )
        if requirement.to_rule().applicability.applies_to(profile)
    ]


def name(requirement, field):
    return f"r{requirement.pk}-{field}"


def answer_fields(requirement, status=AnswerStatus.MET, **fields):
    """The POST fields of one answer, as the browser sends them."""
    data = {name(requirement, "status"): status}
    if requirement.asks_channel:
        data[name(requirement, "channel")] = fields.pop("channel", Channel.E_SERVICES_1177)
    for field, value in fields.items():
        data[name(requirement, field)] = value
    return data


def full_answers(report):
    data = {}
    for requirement in applicable(report):
        data |= answer_fields(requirement)
    return data


def edit_url(report):
    return reverse("report_edit", args=[report.pk])


def answer_everything(report, actor):
    for requirement in applicable(report):
        save_answer(
            report=report,
            requirement=requirement,
            actor=actor,
            status=AnswerStatus.MET,
            channel=Channel.E_SERVICES_1177 if requirement.asks_channel else "",
        )


@pytest.fixture
def draft(catalogue, clinic, reporter):
    return start_report(clinic=clinic, actor=reporter)


@pytest.fixture
def reporter_client(client, reporter):
    client.force_login(reporter)
    return client


@pytest.fixture
def returned(draft, reporter, reviewer):
    answer_everything(draft, reporter)
    submit_report(report=draft, actor=reporter)
    first = draft.answers.order_by("requirement__position").first()
    return return_report(
        report=draft,
        actor=reviewer,
        comment="Länkarna till underlagen saknas.",
        answer_comments={first.pk: "Sidan på 1177 hittas inte."},
    )


# --- who may use the pages ------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in(client, draft, clinic):
    login = reverse("login")
    assert client.get(reverse("my_clinics")).url.startswith(login)
    assert client.get(edit_url(draft)).url.startswith(login)
    assert client.post(reverse("report_start", args=[clinic.pk])).url.startswith(login)


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER, Role.REGION_ADMIN])
def test_every_role_but_clinic_reporters_is_refused(client, draft, clinic, role):
    client.force_login(make_user(role, clinics=[clinic]))
    assert client.get(reverse("my_clinics")).status_code == 403
    assert client.get(edit_url(draft)).status_code == 403
    assert client.post(edit_url(draft), full_answers(draft)).status_code == 403
    assert client.post(reverse("report_start", args=[clinic.pk])).status_code == 403
    assert not draft.answers.exists()


def test_a_reporter_opens_their_own_pages(reporter_client, draft):
    assert reporter_client.get(reverse("my_clinics")).status_code == 200
    assert reporter_client.get(edit_url(draft)).status_code == 200


def test_a_reporter_of_one_clinic_cannot_see_or_change_another_clinics_report(
    client, catalogue, clinic, other_clinic
):
    theirs = start_report(
        clinic=other_clinic, actor=make_user(Role.CLINIC_REPORTER, clinics=[other_clinic])
    )
    client.force_login(make_user(Role.CLINIC_REPORTER, clinics=[clinic]))

    assert client.get(edit_url(theirs)).status_code == 404
    assert client.post(edit_url(theirs), full_answers(theirs)).status_code == 404
    response = client.post(edit_url(theirs), {**full_answers(theirs), "action": "submit"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == ReportState.DRAFT
    assert not theirs.answers.exists()


def test_a_reporter_cannot_start_a_report_for_another_clinic(
    reporter_client, catalogue, other_clinic
):
    response = reporter_client.post(reverse("report_start", args=[other_clinic.pk]))
    assert response.status_code == 404
    assert not Report.objects.exists()


# --- my clinics -----------------------------------------------------------------------


def test_my_clinics_lists_only_the_reporters_own_clinics(
    reporter_client, catalogue, clinic, other_clinic
):
    content = reporter_client.get(reverse("my_clinics")).content.decode()
    assert clinic.name in content
    assert clinic.hsa_id in content
    assert reverse("clinic_detail", args=[clinic.pk]) in content
    assert other_clinic.name not in content


def test_a_provider_coordinator_sees_every_clinic_of_the_provider(client, catalogue, clinic):
    sibling = make_clinic(provider=clinic.provider)
    client.force_login(make_user(Role.CLINIC_REPORTER, providers=[clinic.provider]))
    content = client.get(reverse("my_clinics")).content.decode()
    assert clinic.name in content
    assert sibling.name in content


def test_my_clinics_offers_to_start_a_report_when_none_is_in_progress(
    reporter_client, catalogue, clinic
):
    content = reporter_client.get(reverse("my_clinics")).content.decode()
    assert f'action="{reverse("report_start", args=[clinic.pk])}"' in content
    assert 'method="post"' in content


def test_my_clinics_says_what_is_due_for_each_report(client, catalogue, region_admin, reviewer):
    provider = make_provider()
    coordinator = make_user(Role.CLINIC_REPORTER, providers=[provider])
    drafting, returning, waiting, approved = (make_clinic(provider=provider) for _ in range(4))
    deadline = timezone.localdate() + timedelta(days=30)
    round_ = ReportingRound.objects.create(
        name="Uppföljning 2026", deadline=deadline, opened_by=region_admin
    )
    start_report(clinic=drafting, actor=coordinator)
    back = start_report(clinic=returning, actor=coordinator)
    answer_everything(back, coordinator)
    submit_report(report=back, actor=coordinator)
    return_report(report=back, actor=reviewer, comment="Komplettera.")
    Report.objects.filter(pk=back.pk).update(round=round_)
    pending = start_report(clinic=waiting, actor=coordinator)
    answer_everything(pending, coordinator)
    submit_report(report=pending, actor=coordinator)
    approved_report = approve_answers(approved)

    client.force_login(coordinator)
    # In English, so that the test reads the same whatever the Swedish wording.
    content = client.get(reverse("my_clinics"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Continue draft" in content
    assert "Returned – correct and resubmit" in content
    assert "Uppföljning 2026" in content
    with translation.override("en"):
        assert date_format(deadline, "SHORT_DATE_FORMAT") in content
    assert "Submitted – awaiting review" in content
    assert f'datetime="{timezone.localtime(approved_report.decided_at):%Y-%m-%d}"' in content
    assert f'action="{reverse("report_start", args=[approved.pk])}"' in content


def test_my_clinics_shows_whether_each_clinic_meets_the_baseline(
    reporter_client, catalogue, clinic
):
    approve_answers(clinic)
    content = reporter_client.get(reverse("my_clinics")).content.decode()
    assert "status--ok" in content


def _my_clinics_queries(client, provider, catalogue, region_admin, count):
    clinics = [make_clinic(provider=provider) for _ in range(count)]
    bulk_approved_reports(clinics[::2], catalogue)
    round_ = ReportingRound.objects.create(
        name=f"Omgång {count}", deadline=timezone.localdate(), opened_by=region_admin
    )
    states = [ReportState.DRAFT, ReportState.RETURNED, ReportState.SUBMITTED]
    Report.objects.bulk_create(
        Report(
            clinic=clinic,
            catalogue_version=catalogue,
            round=round_ if i % 2 else None,
            state=states[i % 3],
        )
        for i, clinic in enumerate(clinics)
    )
    client.force_login(make_user(Role.CLINIC_REPORTER, providers=[provider]))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("my_clinics"))
    assert response.status_code == 200
    assert response.content.decode().count('<th scope="row">') == count
    return len(queries)


def test_my_clinics_uses_as_many_queries_for_40_clinics_as_for_2(client, catalogue, region_admin):
    few = _my_clinics_queries(client, make_provider(), catalogue, region_admin, 2)
    many = _my_clinics_queries(client, make_provider(), catalogue, region_admin, 40)
    assert few == many
    assert many <= 12


# --- starting a report ----------------------------------------------------------------


def test_starting_a_report_creates_a_draft_and_opens_it(reporter_client, catalogue, clinic):
    response = reporter_client.post(reverse("report_start", args=[clinic.pk]))
    report = Report.objects.get(clinic=clinic)
    assert report.state == ReportState.DRAFT
    assert response.url == edit_url(report)


def test_starting_again_leads_to_the_report_in_progress_with_a_message(
    reporter_client, draft, clinic
):
    response = reporter_client.post(reverse("report_start", args=[clinic.pk]), follow=True)
    assert Report.objects.filter(clinic=clinic).count() == 1
    assert response.redirect_chain[-1][0] == edit_url(draft)
    assert "message--info" in response.content.decode()


def test_a_report_is_started_only_by_post(reporter_client, catalogue, clinic):
    assert reporter_client.get(reverse("report_start", args=[clinic.pk])).status_code == 405
    assert not Report.objects.exists()


# --- the form -------------------------------------------------------------------------


def test_the_form_has_a_section_per_area_with_the_general_requirements_last(
    reporter_client, draft
):
    content = reporter_client.get(edit_url(draft)).content.decode()
    areas = list(draft.catalogue_version.areas.order_by("position"))
    positions = [content.index(f'id="area-{area.code}-title"') for area in areas]
    general = [area.code for area in areas if not area.in_baseline]
    assert general == ["generella"]
    assert positions == sorted(positions)
    assert content.index('id="area-generella-title"') == max(positions)
    for requirement in applicable(draft):
        assert f"<legend>{requirement.name}" in content


def test_the_web_booking_section_explains_the_decision(reporter_client, draft):
    content = reporter_client.get(edit_url(draft)).content.decode()
    assert 'id="area-webbtidbok-explanation"' in content
    assert "open invitation" in content or "öppen kallelse" in content


def test_a_private_dental_clinic_has_no_web_booking_section(client, catalogue):
    dental = make_clinic(
        provider=make_provider(kind=ProviderKind.PRIVATE),
        kind=ClinicKind.GENERAL_DENTAL,
        care_type=CareType.DENTAL,
    )
    reporter = make_user(Role.CLINIC_REPORTER, clinics=[dental])
    report = start_report(clinic=dental, actor=reporter)
    client.force_login(reporter)
    content = client.get(edit_url(report)).content.decode()
    assert 'id="area-webbtidbok"' not in content
    assert 'id="area-hemsida"' in content
    booking = report.catalogue_version.requirements.get(code="webbtidbok.omboka")
    assert name(booking, "status") not in content


def test_not_applicable_is_offered_only_where_the_catalogue_allows_it(reporter_client, draft):
    content = reporter_client.get(edit_url(draft)).content.decode()
    requirements = draft.catalogue_version.requirements
    allowed = requirements.filter(may_be_not_applicable=True).first()
    forbidden = requirements.get(code="hemsida.sida_1177")
    assert f'id="{name(allowed, "status")}-not_applicable"' in content
    assert f'name="{name(allowed, "justification")}"' in content
    assert f'id="{name(forbidden, "status")}-not_applicable"' not in content
    assert f'name="{name(forbidden, "justification")}"' not in content


def test_channel_is_asked_only_where_the_catalogue_asks_it(reporter_client, draft):
    content = reporter_client.get(edit_url(draft)).content.decode()
    requirements = draft.catalogue_version.requirements
    asks = requirements.filter(asks_channel=True).first()
    silent = requirements.get(code="hemsida.sida_1177")
    assert f'id="{name(asks, "channel")}-1177"' in content
    assert f'name="{name(silent, "channel")}"' not in content


def test_saving_a_draft_keeps_partial_answers(reporter_client, draft):
    first, second = applicable(draft)[:2]
    data = {
        **answer_fields(first, comment="Sidan finns.", evidence_url="https://www.1177.se/x"),
        **answer_fields(second, AnswerStatus.PARTIALLY_MET),
        "action": "save",
    }
    response = reporter_client.post(edit_url(draft), data)
    assert response.status_code == 302
    assert response.url == edit_url(draft)
    answers = {a.requirement_id: a for a in draft.answers.all()}
    assert set(answers) == {first.pk, second.pk}
    assert answers[first.pk].comment == "Sidan finns."
    assert answers[first.pk].evidence_url == "https://www.1177.se/x"
    assert answers[second.pk].status == AnswerStatus.PARTIALLY_MET
    draft.refresh_from_db()
    assert draft.state == ReportState.DRAFT


def test_the_form_is_prefilled_with_the_reports_answers(reporter_client, draft, reporter):
    requirement = applicable(draft)[0]
    save_answer(
        report=draft,
        requirement=requirement,
        actor=reporter,
        status=AnswerStatus.NOT_MET,
        comment="Arbete pågår.",
        evidence_url="https://www.1177.se/mottagning",
    )
    content = reporter_client.get(edit_url(draft)).content.decode()
    assert f'id="{name(requirement, "status")}-not_met" value="not_met" checked' in content
    assert "Arbete pågår.</textarea>" in content
    assert 'value="https://www.1177.se/mottagning"' in content


def test_not_applicable_without_justification_saves_nothing(reporter_client, draft):
    good, *_rest = applicable(draft)
    allowed = draft.catalogue_version.requirements.filter(may_be_not_applicable=True).first()
    data = {
        **answer_fields(good),
        **answer_fields(allowed, AnswerStatus.NOT_APPLICABLE, justification="  "),
        "action": "save",
    }
    before = Answer.objects.count()

    response = reporter_client.post(edit_url(draft), data)

    assert response.status_code == 200
    assert Answer.objects.count() == before
    content = response.content.decode()
    field_id = name(allowed, "justification")
    assert f'id="{field_id}-error"' in content
    assert f'aria-describedby="{field_id}-help {field_id}-error" aria-invalid="true"' in content
    # The summary on top links to the field.
    assert 'role="alert"' in content
    assert f'href="#{field_id}"' in content


def test_a_forged_not_applicable_is_refused_where_the_catalogue_forbids_it(reporter_client, draft):
    good = draft.catalogue_version.requirements.filter(may_be_not_applicable=True).first()
    forbidden = draft.catalogue_version.requirements.get(code="hemsida.sida_1177")
    data = {
        **answer_fields(good),
        **answer_fields(forbidden, AnswerStatus.NOT_APPLICABLE, justification="Har ingen."),
        "action": "save",
    }
    response = reporter_client.post(edit_url(draft), data)
    assert response.status_code == 200
    assert not draft.answers.exists()
    content = response.content.decode()
    assert f'id="{name(forbidden, "status")}-error"' in content


def test_evidence_must_be_an_https_link(reporter_client, draft):
    requirement = applicable(draft)[0]
    data = {
        **answer_fields(requirement, evidence_url="http://www.1177.se/mottagning"),
        "action": "save",
    }
    response = reporter_client.post(edit_url(draft), data)
    assert response.status_code == 200
    assert not draft.answers.exists()
    field_id = name(requirement, "evidence_url")
    assert f'id="{field_id}-error"' in response.content.decode()


def test_an_incomplete_web_address_is_refused_next_to_the_field(reporter_client, draft):
    requirement = applicable(draft)[0]
    data = {**answer_fields(requirement, evidence_url="https://inte en adress"), "action": "save"}
    response = reporter_client.post(edit_url(draft), data)
    assert response.status_code == 200
    assert not draft.answers.exists()
    assert f'id="{name(requirement, "evidence_url")}-error"' in response.content.decode()


def test_a_forged_channel_is_refused(reporter_client, draft):
    asks = draft.catalogue_version.requirements.filter(asks_channel=True).first()
    silent = draft.catalogue_version.requirements.get(code="hemsida.sida_1177")
    data = {
        **answer_fields(asks, channel="fax"),
        **answer_fields(silent, channel=Channel.BOTH),
        "action": "save",
    }
    response = reporter_client.post(edit_url(draft), data)
    assert response.status_code == 200
    assert not draft.answers.exists()
    content = response.content.decode()
    assert f'id="{name(asks, "channel")}-error"' in content
    assert f'id="{name(silent, "channel")}-error"' in content


def test_submitting_with_missing_answers_lists_them_and_keeps_the_draft(reporter_client, draft):
    first, second, *rest = applicable(draft)
    data = {**answer_fields(first), "action": "submit"}

    response = reporter_client.post(edit_url(draft), data)

    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.state == ReportState.DRAFT
    # The answer given is kept as a draft.
    assert list(draft.answers.values_list("requirement_id", flat=True)) == [first.pk]
    content = response.content.decode()
    for missing in [second, *rest]:
        assert f'id="r{missing.pk}-missing"' in content
        assert f'href="#{name(missing, "status")}-met"' in content
    assert f'id="r{first.pk}-missing"' not in content


def test_a_full_valid_submit_sends_the_report_for_review(reporter_client, draft, reporter):
    response = reporter_client.post(edit_url(draft), {**full_answers(draft), "action": "submit"})

    assert response.status_code == 302
    assert response.url == reverse("my_clinics")
    draft.refresh_from_db()
    assert draft.state == ReportState.SUBMITTED
    assert draft.submitted_by == reporter
    assert draft.answers.count() == len(applicable(draft))
    event = ReportEvent.objects.filter(report=draft).last()
    assert (event.from_state, event.to_state, event.actor) == (
        ReportState.DRAFT,
        ReportState.SUBMITTED,
        reporter,
    )


def test_a_submitted_report_is_read_only(reporter_client, draft, reporter):
    answer_everything(draft, reporter)
    submit_report(report=draft, actor=reporter)
    content = reporter_client.get(edit_url(draft)).content.decode()
    assert "<input" not in content.split('<main id="main"')[1].split("</main>")[0]
    assert "<textarea" not in content
    assert 'class="readonly-note"' in content

    before = list(draft.answers.values_list("pk", "status", "reported_at"))
    data = {**full_answers(draft), "action": "save"}
    data[name(applicable(draft)[0], "status")] = AnswerStatus.NOT_MET
    response = reporter_client.post(edit_url(draft), data)
    assert response.status_code == 302
    assert list(draft.answers.values_list("pk", "status", "reported_at")) == before


def test_a_returned_report_shows_the_reviewers_comments_beside_the_answers(
    reporter_client, returned
):
    content = reporter_client.get(edit_url(returned)).content.decode()
    assert "Länkarna till underlagen saknas." in content
    first = returned.answers.order_by("requirement__position").first()
    prefix = f"r{first.requirement_id}"
    assert f'id="{prefix}-review"' in content
    fieldset = content.split(f'<fieldset class="requirement" id="{prefix}"')[1].split(
        "</fieldset>"
    )[0]
    assert f"{prefix}-review" in fieldset.split(">")[0]  # aria-describedby on the fieldset
    assert "Sidan på 1177 hittas inte." in fieldset


def test_a_returned_report_is_corrected_and_resubmitted(reporter_client, returned, reporter):
    first = returned.answers.order_by("requirement__position").first()
    data = {**full_answers(returned), "action": "submit"}
    data[name(first.requirement, "evidence_url")] = "https://www.1177.se/hitta-vard/ny"

    response = reporter_client.post(edit_url(returned), data)

    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.state == ReportState.SUBMITTED
    first.refresh_from_db()
    assert first.evidence_url == "https://www.1177.se/hitta-vard/ny"
    assert returned.events.last().from_state == ReportState.RETURNED


def test_saving_unchanged_answers_does_not_rewrite_them(reporter_client, draft, reporter):
    answer_everything(draft, reporter)
    before = list(draft.answers.values_list("pk", "reported_at"))
    response = reporter_client.post(edit_url(draft), {**full_answers(draft), "action": "save"})
    assert response.status_code == 302
    assert list(draft.answers.values_list("pk", "reported_at")) == before


def _form_queries(client, report):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(edit_url(report))
    assert response.status_code == 200
    return len(queries)


def test_the_form_does_not_query_per_requirement(reporter_client, draft, reporter, reviewer):
    empty = _form_queries(reporter_client, draft)
    answer_everything(draft, reporter)
    submit_report(report=draft, actor=reporter)
    return_report(
        report=draft,
        actor=reviewer,
        comment="Komplettera.",
        answer_comments={answer.pk: "Se över." for answer in draft.answers.all()},
    )
    returned = _form_queries(reporter_client, draft)
    assert empty == returned
    # The catalogue has about forty requirements: a query per requirement would show.
    assert returned <= 10


def test_a_report_of_a_closed_round_is_read_only(reporter_client, draft, region_admin):
    round_ = ReportingRound.objects.create(
        name="Uppföljning 2025",
        deadline=timezone.localdate(),
        opened_by=region_admin,
        closed_at=timezone.now(),
        closed_by=region_admin,
    )
    Report.objects.filter(pk=draft.pk).update(round=round_)
    content = reporter_client.get(edit_url(draft)).content.decode()
    assert 'class="readonly-note"' in content
    assert "<textarea" not in content

    response = reporter_client.post(edit_url(draft), {**full_answers(draft), "action": "submit"})
    assert response.status_code == 302
    assert not draft.answers.exists()
    draft.refresh_from_db()
    assert draft.state == ReportState.DRAFT
