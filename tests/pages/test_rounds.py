"""The reporting round pages: only region admins list, open, follow and close rounds."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinics.models import Clinic, Report, ReportEvent, ReportingRound, ReportState, Role
from clinics.services.reports import approve_report, save_answer, submit_report
from clinics.services.rounds import close_round, open_round
from requirements.vocabulary import AnswerStatus, ClinicKind, Municipality
from tests.factories import make_clinic, make_user

LIST = reverse("round_list")
CREATE = reverse("round_create")


@pytest.fixture(autouse=True)
def english(client):
    """Pages are asserted in English, the msgid language; Swedish comes from the .po."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def admin_client(client, region_admin):
    client.force_login(region_admin)
    return client


def in_days(days: int):
    return timezone.localdate() + timedelta(days=days)


def a_round(clinics, actor, *, name="Uppföljning 2026", deadline=None) -> ReportingRound:
    return open_round(
        name=name,
        deadline=deadline or in_days(30),
        clinics=Clinic.objects.filter(pk__in=[clinic.pk for clinic in clinics]),
        selection={"scope": "all"},
        actor=actor,
    )


@pytest.fixture
def round(catalogue, clinic, other_clinic, region_admin):
    return a_round([clinic, other_clinic], region_admin)


def detail_url(round: ReportingRound) -> str:
    return reverse("round_detail", args=[round.pk])


def close_url(round: ReportingRound) -> str:
    return reverse("round_close", args=[round.pk])


def form_data(**changes) -> dict:
    data = {
        "name": "Uppföljning 2026",
        "deadline": in_days(60).isoformat(),
        "scope": "all",
        "municipality": "",
        "kind": "",
        "provider": "",
        "contract_form": "",
    }
    return data | changes


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# Who may use the pages


def test_anonymous_users_are_sent_to_sign_in(client, round):
    for url in (LIST, CREATE, detail_url(round)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    response = client.post(close_url(round), {"confirm": "on"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    round.refresh_from_db()
    assert round.is_open


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER, Role.CLINIC_REPORTER])
def test_every_role_but_region_admin_is_refused(client, round, clinic, role):
    client.force_login(make_user(role, clinics=[clinic]))
    for url in (LIST, CREATE, detail_url(round)):
        assert client.get(url).status_code == 403, url

    assert client.post(CREATE, form_data(name="Uppföljning 2027")).status_code == 403
    assert client.post(close_url(round), {"confirm": "on"}).status_code == 403
    assert list(ReportingRound.objects.values_list("name", flat=True)) == ["Uppföljning 2026"]
    round.refresh_from_db()
    assert round.is_open
    assert not Report.objects.filter(state=ReportState.CLOSED).exists()


def test_a_reporter_cannot_see_the_round_of_their_own_clinic(client, round, reporter):
    client.force_login(reporter)
    assert client.get(detail_url(round)).status_code == 403


def test_a_region_admin_opens_every_page(admin_client, round):
    for url in (LIST, CREATE, detail_url(round)):
        assert admin_client.get(url).status_code == 200, url


def test_a_round_that_does_not_exist_is_not_found(admin_client, db):
    assert admin_client.get(reverse("round_detail", args=[999])).status_code == 404


# The list


def test_the_list_shows_each_round_with_its_progress(admin_client, round):
    response = admin_client.get(LIST)
    content = response.content.decode()
    assert "Uppföljning 2026" in content
    assert detail_url(round) in content
    assert CREATE in content
    assert "Open a new round" in content
    ((listed, progress),) = response.context["rows"]
    assert listed == round
    assert progress.total == progress.not_started == 2


def test_the_list_takes_as_many_queries_for_ten_rounds_as_for_one(
    admin_client, catalogue, region_admin
):
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as context:
            assert admin_client.get(LIST).status_code == 200
        return len(context.captured_queries)

    a_round([make_clinic()], region_admin, name="Omgång 0")
    one = queries_for_list()
    for n in range(1, 10):
        a_round([make_clinic(), make_clinic()], region_admin, name=f"Omgång {n}")
    assert queries_for_list() == one


# Opening a round


def test_an_admin_opens_a_round_for_all_active_clinics(admin_client, catalogue, region_admin):
    clinics = [make_clinic() for _ in range(3)]
    make_clinic(active_until=in_days(-1))

    response = admin_client.post(CREATE, form_data())

    round = ReportingRound.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(round)
    assert round.name == "Uppföljning 2026"
    assert round.deadline == in_days(60)
    assert round.selection == {"scope": "all"}
    assert round.opened_by == region_admin
    assert sorted(Report.objects.filter(round=round).values_list("clinic", flat=True)) == sorted(
        clinic.pk for clinic in clinics
    )
    assert messages_of(response) == [
        f"The round “Uppföljning 2026” is open: 3 clinics have a report to fill in by "
        f"{in_days(60).isoformat()}."
    ]


def test_an_admin_opens_a_round_for_the_clinics_a_filter_chooses(admin_client, catalogue):
    chosen = make_clinic(municipality_code=Municipality.VARBERG, kind=ClinicKind.VARDCENTRAL)
    make_clinic(municipality_code=Municipality.VARBERG, kind=ClinicKind.GENERAL_DENTAL)
    make_clinic(municipality_code=Municipality.HALMSTAD, kind=ClinicKind.VARDCENTRAL)

    response = admin_client.post(
        CREATE,
        form_data(scope="filter", municipality=Municipality.VARBERG, kind=ClinicKind.VARDCENTRAL),
    )

    assert response.status_code == 302
    round = ReportingRound.objects.get()
    assert round.selection == {
        "scope": "filter",
        "municipality": Municipality.VARBERG,
        "kind": ClinicKind.VARDCENTRAL,
    }
    assert list(Report.objects.filter(round=round).values_list("clinic", flat=True)) == [chosen.pk]
    detail = admin_client.get(response.url).content.decode()
    assert "Municipality: Varberg" in detail


def test_a_filter_by_care_provider_chooses_its_clinics(admin_client, catalogue, clinic):
    make_clinic()
    response = admin_client.post(
        CREATE, form_data(scope="filter", provider=str(clinic.provider.pk))
    )
    assert response.status_code == 302
    assert list(Report.objects.values_list("clinic", flat=True)) == [clinic.pk]


def test_counting_the_clinics_shows_how_many_the_choice_covers_and_opens_nothing(
    admin_client, catalogue
):
    for _ in range(4):
        make_clinic(municipality_code=Municipality.LAHOLM)
    make_clinic(municipality_code=Municipality.HYLTE)

    response = admin_client.post(
        CREATE, form_data(scope="filter", municipality=Municipality.LAHOLM, count="1")
    )

    assert response.status_code == 200
    assert response.context["covered"] == 4
    assert "The choice covers 4 active clinics." in response.content.decode()
    assert not ReportingRound.objects.exists()
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"deadline": ""}, "deadline", "This field is required."),
        ({"deadline": "31/12/2026"}, "deadline", "Enter a valid date."),
        ({"deadline": in_days(-1).isoformat()}, "deadline", "The deadline cannot be in the past."),
        ({"scope": "filter"}, "scope", "Choose at least one filter, or all active clinics."),
        ({"municipality": Municipality.FALKENBERG}, "scope", "You chose filters"),
        ({"scope": "some"}, "scope", "Select a valid choice."),
        ({"municipality": "9999", "scope": "filter"}, "municipality", "Select a valid choice."),
    ],
)
def test_an_invalid_form_shows_the_error_at_its_field_and_opens_nothing(
    admin_client, catalogue, clinic, changes, field, error
):
    response = admin_client.post(CREATE, form_data(**changes))

    assert response.status_code == 200
    assert error in " ".join(response.context["form"].errors[field])
    content = response.content.decode()
    assert f'id="id_{field}_error"' in content
    if field == "scope":
        # A radio group is described on its fieldset.
        assert 'aria-describedby="id_scope_error"' in content
    else:
        (tag,) = re.findall(rf'<(?:input|select)[^>]*id="id_{field}"[^>]*>', content)
        assert 'aria-invalid="true"' in tag
        assert re.search(rf'aria-describedby="[^"]*id_{field}_error', tag)
    assert not ReportingRound.objects.exists()
    assert not Report.objects.exists()


def test_a_name_already_used_is_an_error_at_the_name(admin_client, round):
    response = admin_client.post(CREATE, form_data(name="Uppföljning 2026"))
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "There is already a reporting round with this name."
    ]
    assert ReportingRound.objects.count() == 1


def test_a_clinic_in_another_open_round_is_an_error_above_the_form(admin_client, round):
    response = admin_client.post(CREATE, form_data(name="Uppföljning 2027"))
    assert response.status_code == 200
    assert "another open round (Uppföljning 2026)" in " ".join(
        response.context["form"].non_field_errors()
    )
    assert ReportingRound.objects.count() == 1


# The round's page


def test_the_round_page_shows_progress_and_each_clinic_s_report(
    admin_client, round, clinic, other_clinic, reporter, reviewer
):
    report = Report.objects.get(round=round, clinic=clinic)
    for requirement in report.catalogue_version.requirements.all():
        report.answers.create(
            requirement=requirement,
            status=AnswerStatus.MET,
            reported_by=reporter,
            reported_at=timezone.now(),
        )
    submit_report(report=report, actor=reporter)

    response = admin_client.get(detail_url(round))

    content = response.content.decode()
    assert '<ul class="figures"' in content
    progress = response.context["progress"]
    assert (progress.total, progress.submitted, progress.not_started) == (2, 1, 1)
    assert clinic.name in content
    assert other_clinic.name in content
    assert "Submitted" in content
    assert "Not started" in content
    assert "Close the round" in content
    assert close_url(round) in content


def test_the_round_page_filters_the_clinics_by_status(admin_client, round, clinic, reporter):
    report = Report.objects.get(round=round, clinic=clinic)
    save_answer(
        report=report,
        requirement=report.catalogue_version.requirements.first(),
        actor=reporter,
        status=AnswerStatus.MET,
    )

    response = admin_client.get(detail_url(round), {"status": "draft"})
    assert [r.clinic for r in response.context["reports"]] == [clinic]

    response = admin_client.get(detail_url(round), {"status": "not_started"})
    assert [r.clinic for r in response.context["reports"]] != [clinic]
    assert len(response.context["reports"]) == 1

    response = admin_client.get(detail_url(round), {"status": "whatever"})
    assert response.status_code == 200
    assert len(response.context["reports"]) == 2  # an unknown status filters nothing
    assert 'id="id_status_error"' in response.content.decode()


def test_past_the_deadline_the_unfinished_reports_are_marked_overdue_in_words(admin_client, round):
    ReportingRound.objects.filter(pk=round.pk).update(deadline=in_days(-1))

    response = admin_client.get(detail_url(round))

    content = response.content.decode()
    assert response.context["progress"].overdue == 2
    assert content.count('<span class="status__icon" aria-hidden="true">⚠</span> Overdue') == 2
    overdue = admin_client.get(detail_url(round), {"status": "overdue"})
    assert len(overdue.context["reports"]) == 2


def test_the_round_page_takes_as_many_queries_for_60_clinics_as_for_3(
    admin_client, catalogue, region_admin
):
    def queries_for(count: int, name: str) -> int:
        round = a_round([make_clinic() for _ in range(count)], region_admin, name=name)
        with CaptureQueriesContext(connection) as context:
            response = admin_client.get(detail_url(round))
        assert len(response.context["reports"]) == count
        return len(context.captured_queries)

    few = queries_for(3, "Tre")
    many = queries_for(60, "Sextio")
    assert few == many


# Closing a round


def test_an_admin_closes_a_round_and_its_unapproved_reports_are_frozen(
    admin_client, round, clinic, other_clinic, reporter, reviewer, region_admin
):
    approved = Report.objects.get(round=round, clinic=clinic)
    for requirement in approved.catalogue_version.requirements.all():
        approved.answers.create(
            requirement=requirement,
            status=AnswerStatus.MET,
            reported_by=reporter,
            reported_at=timezone.now(),
        )
    submit_report(report=approved, actor=reporter)
    approve_report(report=approved, actor=reviewer)

    response = admin_client.post(close_url(round), {"confirm": "on"})

    assert response.status_code == 302
    assert response.url == detail_url(round)
    round.refresh_from_db()
    assert not round.is_open
    assert round.closed_by == region_admin
    assert dict(Report.objects.filter(round=round).values_list("clinic", "state")) == {
        clinic.pk: ReportState.APPROVED,
        other_clinic.pk: ReportState.CLOSED,
    }
    assert ReportEvent.objects.filter(to_state=ReportState.CLOSED).count() == 1
    assert messages_of(response) == [
        "The round “Uppföljning 2026” is closed; the reports not approved are frozen."
    ]
    page = admin_client.get(detail_url(round)).content.decode()
    assert "Closed with its round" in page
    assert close_url(round) not in page


def test_closing_needs_the_confirmation(admin_client, round):
    response = admin_client.post(close_url(round), {})

    assert response.status_code == 200
    assert response.context["close_form"].errors["confirm"]
    assert 'id="id_confirm_error"' in response.content.decode()
    round.refresh_from_db()
    assert round.is_open
    assert not Report.objects.filter(state=ReportState.CLOSED).exists()


def test_closing_a_closed_round_again_says_so_and_changes_nothing(
    admin_client, round, region_admin
):
    close_round(round=round, actor=region_admin)
    closed_at = ReportingRound.objects.get().closed_at

    response = admin_client.post(close_url(round), {"confirm": "on"})

    assert response.status_code == 302
    assert messages_of(response) == ["The reporting round is already closed."]
    assert ReportingRound.objects.get().closed_at == closed_at


def test_closing_is_a_post(admin_client, round):
    assert admin_client.get(close_url(round)).status_code == 405
    round.refresh_from_db()
    assert round.is_open


def test_the_admin_shows_rounds_but_cannot_add_change_or_delete_them(admin_client, round):
    changelist = admin_client.get(reverse("admin:clinics_reportinground_changelist"))
    assert changelist.status_code == 200
    assert "Uppföljning 2026" in changelist.content.decode()
    assert admin_client.get(reverse("admin:clinics_reportinground_add")).status_code == 403
    change = reverse("admin:clinics_reportinground_change", args=[round.pk])
    assert admin_client.post(change, {"name": "Annat namn"}).status_code == 403
    delete = reverse("admin:clinics_reportinground_delete", args=[round.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert ReportingRound.objects.get().name == "Uppföljning 2026"


def test_a_round_opened_without_filters_says_it_covers_all_active_clinics(
    admin_client, catalogue, clinic, region_admin
):
    round = open_round(
        name="Uppföljning 2026",
        deadline=in_days(30),
        clinics=Clinic.objects.all(),
        selection={"all": True},
        actor=region_admin,
    )
    assert "All active clinics" in admin_client.get(detail_url(round)).content.decode()
