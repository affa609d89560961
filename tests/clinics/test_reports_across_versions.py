"""Reports across catalogue versions: an answer given under revision 1 keeps counting for
the requirements revision 2 still asks, a new requirement is "not reported" until it is
answered, and the next draft asks only for what is new or asked otherwise."""

from datetime import date

import pytest

from clinics.clinic_page import clinic_page
from clinics.models import Role
from clinics.services.reports import start_report
from requirements.catalogue_import import DEFAULT_CATALOGUE_PATH, import_catalogue
from requirements.vocabulary import ComplianceStatus
from tests.api.helpers import approve_answers
from tests.factories import make_clinic, make_user

REVISION_2_PATH = DEFAULT_CATALOGUE_PATH.with_name("rs220477-revision-2.yaml")
EFFECTIVE = date(2027, 1, 1)


@pytest.fixture
def answered_under_revision_1(catalogue):
    clinic = make_clinic()
    approve_answers(clinic)
    revision_2, _created = import_catalogue(REVISION_2_PATH)
    return clinic, revision_2


def test_the_answers_still_asked_keep_counting_and_new_requirements_are_not_reported(
    answered_under_revision_1,
):
    clinic, revision_2 = answered_under_revision_1

    page = clinic_page(clinic, EFFECTIVE)

    assert page.version == revision_2
    assert page.compliance.requirement("hemsida.sida_1177").status == ComplianceStatus.COMPLIANT
    assert page.compliance.requirement("npo.ansluten").status == ComplianceStatus.COMPLIANT
    for code in ("webbtidbok.guidas_ratt_besok", "journalen.medarbetare_kannedom"):
        assert page.compliance.requirement(code).status == ComplianceStatus.NOT_REPORTED
    # Until the revision takes effect, the clinic is judged by revision 1.
    before = clinic_page(clinic, date(2026, 12, 31))
    assert before.version.revision == 1
    assert before.compliance.meets_baseline


def test_the_next_draft_asks_only_for_what_is_new_or_asked_otherwise(answered_under_revision_1):
    clinic, revision_2 = answered_under_revision_1
    reporter = make_user(Role.CLINIC_REPORTER, clinics=[clinic])

    draft = start_report(clinic=clinic, actor=reporter, on_date=EFFECTIVE)

    prefilled = set(draft.answers.values_list("requirement__code", flat=True))
    asked = set(revision_2.requirements.values_list("code", flat=True))
    assert draft.catalogue_version == revision_2
    # Unchanged requirements come pre-filled with the approved answers.
    assert {"hemsida.sida_1177", "etjanster.radgivning", "webbtidbok.boka_direkt"} <= prefilled
    # New ones, and one whose question changed, are left to answer.
    assert "webbtidbok.guidas_ratt_besok" not in prefilled
    assert "etjanster.egen_losning_via_1177" not in prefilled
    # A requirement revision 2 no longer has is not carried into it.
    assert "journalen.medarbetare" not in prefilled
    assert prefilled <= asked
