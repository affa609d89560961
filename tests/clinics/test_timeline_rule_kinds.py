"""The catalogue's rule kinds through the whole write side: a report approved under a
catalogue that states them is judged by them on the timeline, and the clinic page reads
what the timeline holds."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinics.clinic_page import clinic_page
from clinics.models import AreaStatusPeriod, ExemptionCase, RequirementStatusPeriod, Role
from clinics.services.cases import create_case
from halland_utbud.errors import ApplicationError
from requirements.catalogue_import import import_catalogue
from requirements.selectors import catalogue_in_force
from requirements.vocabulary import AnswerStatus, AreaStatus, ComplianceStatus
from tests.api.helpers import approve_answers
from tests.factories import make_clinic, make_user
from tests.requirements.test_catalogue_import import write_catalogue
from tests.requirements.test_catalogue_rule_kinds import MINIMUM, catalogue

NA = AnswerStatus.NOT_APPLICABLE


@pytest.fixture
def stated(db, tmp_path):
    """A catalogue in force that states every rule kind."""
    text = catalogue(etjanster_extra=MINIMUM).replace(
        "effective_from: 2027-01-01", "effective_from: 2022-01-01"
    )
    version, _created = import_catalogue(write_catalogue(tmp_path, text))
    return version


def stored(clinic, model, field):
    return dict(
        model.objects.filter(clinic=clinic, valid_to="9999-12-31").values_list(field, "status")
    )


def test_a_clinic_answering_both_core_e_services_not_applicable_does_not_meet_the_area(stated):
    clinic = make_clinic()
    approve_answers(clinic, {"etjanster.boka_bestalla_tid": NA, "etjanster.radgivning": NA})

    areas = stored(clinic, AreaStatusPeriod, "area_code")
    page = clinic_page(clinic)

    assert areas["etjanster"] == AreaStatus.NOT_MET
    assert page.compliance.area("etjanster").status == AreaStatus.NOT_MET
    assert not page.compliance.area("etjanster").meets
    assert not page.compliance.meets_baseline


def test_the_rule_kinds_judge_the_requirements_on_the_timeline(stated):
    clinic = make_clinic()
    # Every answer "met", through 1177 where the channel is asked.
    approve_answers(clinic)

    requirements = stored(clinic, RequirementStatusPeriod, "requirement_code")
    page = clinic_page(clinic)

    # Met as answered, but the own platform has no approval in force.
    assert requirements["behandling.egen_plattform_godkand"] == ComplianceStatus.NOT_COMPLIANT
    # Only a clinic with an own solution is referred to it from 1177.
    assert requirements["etjanster.egen_losning_via_1177"] == ComplianceStatus.NOT_APPLICABLE
    # The advisory requirement is judged, and the area stands without counting it.
    assert requirements["etjanster.enkelt_att_na"] == ComplianceStatus.COMPLIANT
    etjanster = page.compliance.area("etjanster")
    assert (etjanster.met, etjanster.applicable, etjanster.status) == (2, 2, AreaStatus.MET)
    assert page.compliance.area("behandling").status == AreaStatus.NOT_MET


# The exemption's own rules, checked when it is requested.


def request_booking_exemption(clinic, reporter, **fields):
    version = catalogue_in_force(timezone.localdate())
    today = timezone.localdate()
    return create_case(
        clinic=clinic,
        requirement=version.requirements.get(code="webbtidbok.boka_direkt"),
        actor=reporter,
        exemption_kind="request_appointment",
        justification="Journalsystemet saknar stöd för direktbokning.",
        requested_from=today,
        requested_until=today + timedelta(days=180),
        **fields,
    )


def test_the_booking_exemption_is_only_for_technical_or_medical_reasons(stated):
    clinic = make_clinic()
    reporter = make_user(Role.CLINIC_REPORTER, clinics=[clinic])

    with pytest.raises(ApplicationError) as refused:
        request_booking_exemption(
            clinic, reporter, reason_category="other", alternative="Beställa tid via 1177."
        )

    assert set(refused.value.extra["errors"]) == {"reason_category"}
    assert not ExemptionCase.objects.exists()


def test_the_booking_exemption_must_say_what_the_clinic_offers_instead(stated):
    clinic = make_clinic()
    reporter = make_user(Role.CLINIC_REPORTER, clinics=[clinic])

    with pytest.raises(ApplicationError) as refused:
        request_booking_exemption(clinic, reporter, reason_category="technical", alternative=" ")
    case = request_booking_exemption(
        clinic, reporter, reason_category="medical", alternative="Beställa tid via 1177."
    )

    assert set(refused.value.extra["errors"]) == {"alternative"}
    assert case.state == "draft"
