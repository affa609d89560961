"""The Django admin keeps the register and shows the catalogue; only region admins use it."""

import pytest
from django.urls import reverse

from clinics.models import CaseEvent, CaseState, Clinic, ExemptionCase, Role
from tests.api.test_cases import approved
from tests.factories import make_user

ADMIN_PAGES = [
    "admin:index",
    "admin:clinics_clinic_changelist",
    "admin:clinics_provider_changelist",
    "admin:clinics_report_changelist",
    "admin:clinics_exemptioncase_changelist",
    "admin:clinics_caseevent_changelist",
    "admin:clinics_user_changelist",
    "admin:clinics_apitoken_changelist",
    "admin:requirements_requirement_changelist",
    "admin:requirements_catalogueversion_changelist",
]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_a_region_admin_reaches_every_admin_page_in_swedish(client, region_admin, page):
    client.force_login(region_admin)
    response = client.get(reverse(page))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "sv"


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER, Role.CLINIC_REPORTER])
def test_other_roles_are_sent_to_the_admin_login(client, db, role):
    client.force_login(make_user(role))
    response = client.get(reverse("admin:clinics_clinic_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_anonymous_users_are_sent_to_the_admin_login(client, db):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_clinics_are_closed_never_deleted_in_the_admin(client, region_admin, clinic):
    client.force_login(region_admin)
    response = client.post(
        reverse("admin:clinics_clinic_delete", args=[clinic.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Clinic.objects.filter(pk=clinic.pk).exists()


def test_the_admin_shows_a_clinics_change_history(client, region_admin, clinic):
    clinic.name = "Vårdcentralen Nytt Namn"
    clinic.save()
    client.force_login(region_admin)
    response = client.get(reverse("admin:clinics_clinic_history", args=[clinic.pk]))
    assert response.status_code == 200
    assert "Vårdcentralen Nytt Namn" in response.content.decode()


def test_the_catalogue_cannot_be_edited_in_the_admin(client, region_admin, catalogue):
    client.force_login(region_admin)
    requirement = catalogue.requirements.first()
    url = reverse("admin:requirements_requirement_change", args=[requirement.pk])
    response = client.post(url, {"name_sv": "Ändrat"})
    requirement.refresh_from_db()
    assert response.status_code == 403
    assert requirement.name_sv != "Ändrat"


def test_the_admin_names_columns_and_history_in_swedish(client, region_admin, clinic):
    client.force_login(region_admin)

    users = client.get(reverse("admin:clinics_user_changelist")).content.decode()
    history = client.get(reverse("admin:clinics_clinic_history", args=[clinic.pk]))
    attempts = client.get(reverse("admin:index")).content.decode()

    assert "Get full name" not in users
    assert ">Namn<" in users
    assert "Ändrad av" in history.content.decode()
    assert "Changed by" not in history.content.decode()
    assert "Inloggningsförsök" in attempts
    assert "Access attempts" not in attempts


@pytest.fixture
def case(catalogue, clinic, reporter):
    return approved(clinic, reporter, catalogue)


def test_the_cases_are_listed_and_found_by_clinic_in_the_admin(client, region_admin, case):
    client.force_login(region_admin)
    changelist = reverse("admin:clinics_exemptioncase_changelist")

    by_hsa_id = client.get(changelist, {"q": case.clinic.hsa_id})
    by_state = client.get(changelist, {"state__exact": CaseState.APPROVED})
    other_state = client.get(changelist, {"state__exact": CaseState.REJECTED})

    assert list(by_hsa_id.context["cl"].result_list) == [case]
    assert list(by_state.context["cl"].result_list) == [case]
    assert list(other_state.context["cl"].result_list) == []


def test_a_case_is_shown_with_its_events_and_nothing_to_save(client, region_admin, case):
    client.force_login(region_admin)

    response = client.get(reverse("admin:clinics_exemptioncase_change", args=[case.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="_save"' not in html
    assert case.justification in html
    # Every transition of the case, read only.
    assert response.context["inline_admin_formsets"][0].formset.queryset.count() == 3


def test_cases_and_their_events_cannot_be_changed_added_or_deleted_in_the_admin(
    client, region_admin, case
):
    client.force_login(region_admin)
    event = case.events.first()

    change = client.post(
        reverse("admin:clinics_exemptioncase_change", args=[case.pk]),
        {"state": CaseState.REVOKED, "justification": "Ändrat"},
    )
    add = client.get(reverse("admin:clinics_exemptioncase_add"))
    delete = client.post(
        reverse("admin:clinics_exemptioncase_delete", args=[case.pk]), {"post": "yes"}
    )
    event_change = client.post(
        reverse("admin:clinics_caseevent_change", args=[event.pk]), {"comment": "Ändrat"}
    )
    event_delete = client.post(
        reverse("admin:clinics_caseevent_delete", args=[event.pk]), {"post": "yes"}
    )

    assert change.status_code == 403
    assert add.status_code == 403
    assert delete.status_code == 403
    assert event_change.status_code == 403
    assert event_delete.status_code == 403
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    assert case.justification != "Ändrat"
    assert ExemptionCase.objects.filter(pk=case.pk).exists()
    assert CaseEvent.objects.get(pk=event.pk).comment != "Ändrat"
