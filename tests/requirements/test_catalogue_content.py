"""The repository's catalogue says what decision RS220477 says.

The decision's own text is read from docs/decision, so a catalogue that drifts from it
fails here rather than in a clinic's report.
"""

from pathlib import Path

import pytest

from requirements.catalogue_import import DEFAULT_CATALOGUE_PATH, parse_catalogue
from requirements.compliance import ClinicProfile
from requirements.vocabulary import (
    CareType,
    ClinicKind,
    ContractForm,
    ExemptionKind,
    ProviderKind,
)

DECISION_PATH = (
    Path(__file__).resolve().parents[2] / "docs" / "decision" / "digitalt-utbud-RS220477.md"
)
DECISION_LINES = [line.strip() for line in DECISION_PATH.read_text(encoding="utf-8").splitlines()]
CATALOGUE = parse_catalogue(DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8"))

# Each baseline area, by the bullet of the decision's "minst erbjuda:" list it stands for.
BASELINE_BULLET_BY_AREA = {
    "hemsida": "mottagningens hemsida via 1177 Vårdguiden (1177.se)",
    "etjanster": "e-tjänster",
    "webbtidbok": "tidbokning (via nätet)",
    "journalen": "journalen (via nätet)",
    "npo": "nationell patientöversikt (NPÖ)",
    "distans": "distanskontakt, (besök via telefon, video eller chatt)",
    "behandling": "behandling via nätet där så är tillämpligt t ex KBT",
}

WEB_BOOKING_CODES = [
    requirement.code
    for area in CATALOGUE.areas
    if area.code == "webbtidbok"
    for requirement in area.requirements
]


def bullets_after(marker: str, stop: str | None = None) -> list[str]:
    """The decision's bullet items after the line containing ``marker``.

    Blank lines between bullets are skipped. Without ``stop`` the list ends at the first
    line that is neither blank nor a bullet; with it, at the line equal to ``stop``.
    """
    start = next(i for i, line in enumerate(DECISION_LINES) if marker in line) + 1
    items = []
    for line in DECISION_LINES[start:]:
        if line == stop:
            break
        if line.startswith("- "):
            items.append(line[2:].strip())
        elif line and stop is None:
            break
    return items


def area(code: str):
    return next(area for area in CATALOGUE.areas if area.code == code)


def requirement(code: str):
    return next(r for r in CATALOGUE.requirements if r.code == code)


def profile(care_type: str, provider_kind: str, kind: str = ClinicKind.VARDCENTRAL):
    return ClinicProfile(
        kind=kind,
        care_type=care_type,
        provider_kind=provider_kind,
        contract_form=(
            ContractForm.REGION_RUN
            if provider_kind == ProviderKind.REGION
            else ContractForm.VARDVAL
        ),
    )


HEALTH_PRIVATE = profile(CareType.HEALTH, ProviderKind.PRIVATE)
HEALTH_REGION = profile(CareType.HEALTH, ProviderKind.REGION, ClinicKind.PSYCHIATRY)
DENTAL_REGION = profile(CareType.DENTAL, ProviderKind.REGION, ClinicKind.GENERAL_DENTAL)
DENTAL_PRIVATE = profile(CareType.DENTAL, ProviderKind.PRIVATE, ClinicKind.GENERAL_DENTAL)


class TestTheEServices:
    def test_the_decision_lists_seventeen_e_services(self):
        assert (
            len(bullets_after("De e-tjänster som mottagningen ska erbjuda", "Övriga krav")) == 17
        )

    def test_the_catalogue_names_them_exactly_as_the_decision_and_in_its_order(self):
        from_decision = bullets_after("De e-tjänster som mottagningen ska erbjuda", "Övriga krav")

        e_services = area("etjanster").requirements[: len(from_decision)]

        assert [service.name_sv for service in e_services] == from_decision

    def test_the_e_services_are_the_first_requirements_of_their_area_and_no_more(self):
        from_decision = bullets_after("De e-tjänster som mottagningen ska erbjuda", "Övriga krav")
        others = area("etjanster").requirements[len(from_decision) :]

        assert [r.code for r in others] == [
            "etjanster.egen_losning_via_1177",
            "etjanster.komplettering_1177",
        ]
        assert not {r.name_sv for r in others} & set(from_decision)

    def test_each_e_service_may_be_not_applicable_at_a_clinic_and_asks_the_channel(self):
        # "med undantag för att vissa tjänster inte kan erbjudas på den aktuella mottagningen"
        for service in area("etjanster").requirements[:17]:
            assert service.may_be_not_applicable, service.code
            assert service.asks_channel, service.code
            assert service.applies_when == [], service.code
            assert service.exemption_kinds == [], service.code

    def test_an_own_e_service_solution_has_no_exemption(self):
        own_solution = requirement("etjanster.egen_losning_via_1177")

        assert own_solution.exemption_kinds == []
        assert own_solution.may_be_not_applicable


class TestTheBaselineAreas:
    def test_the_seven_baseline_areas_are_the_decisions_minst_erbjuda_list_in_order(self):
        from_decision = bullets_after("minst erbjuda:")

        baseline = [a.code for a in CATALOGUE.areas if a.in_baseline]

        assert [BASELINE_BULLET_BY_AREA[code] for code in baseline] == from_decision

    def test_the_general_requirements_are_outside_the_baseline(self):
        outside = [a for a in CATALOGUE.areas if not a.in_baseline]

        assert [(a.code, a.name_sv) for a in outside] == [("generella", "Generella krav")]


@pytest.mark.django_db
class TestWebBookingApplicability:
    @pytest.mark.parametrize("clinic", [HEALTH_PRIVATE, HEALTH_REGION, DENTAL_REGION])
    def test_web_booking_applies_to_health_care_and_region_run_dental_care(
        self, catalogue, clinic
    ):
        rules = [r.to_rule() for r in catalogue.requirements.filter(area__code="webbtidbok")]

        assert len(rules) == len(WEB_BOOKING_CODES)
        assert all(rule.applicability.applies_to(clinic) for rule in rules)

    def test_web_booking_does_not_apply_to_private_dental_care(self, catalogue):
        rules = [r.to_rule() for r in catalogue.requirements.filter(area__code="webbtidbok")]

        assert not any(rule.applicability.applies_to(DENTAL_PRIVATE) for rule in rules)

    @pytest.mark.parametrize("kind", [ClinicKind.PATIENTNAMNDEN, ClinicKind.VARDGARANTISERVICE])
    def test_web_booking_does_not_apply_to_units_that_give_no_care_themselves(
        self, catalogue, kind
    ):
        # "Mottagningar som bedriver hälso- och sjukvård": Patientnämnden and
        # Vårdgarantiservice have no appointments of their own to book.
        unit = profile(CareType.HEALTH, ProviderKind.REGION, kind)
        rules = [r.to_rule() for r in catalogue.requirements.filter(area__code="webbtidbok")]

        assert not any(rule.applicability.applies_to(unit) for rule in rules)

    def test_every_other_requirement_applies_to_private_dental_care(self, catalogue):
        others = catalogue.requirements.exclude(area__code="webbtidbok").select_related("area")

        assert all(r.to_rule().applicability.applies_to(DENTAL_PRIVATE) for r in others)


class TestExemptions:
    def test_booking_directly_allows_exactly_the_request_appointment_exemption(self):
        book_directly = requirement("webbtidbok.boka_direkt")

        assert book_directly.exemption_kinds == [ExemptionKind.REQUEST_APPOINTMENT]
        # "kan vara tidsbegränsat": may be, so it need not be.
        assert book_directly.permanent_exemption_allowed

    def test_npo_connection_allows_documentation_made_available_otherwise(self):
        npo = requirement("npo.ansluten")

        assert npo.exemption_kinds == [ExemptionKind.DOCUMENTATION_OTHERWISE_AVAILABLE]
        assert not npo.may_be_not_applicable

    def test_an_own_treatment_platform_is_met_by_region_hallands_approval(self):
        platform = requirement("behandling.egen_plattform_godkand")

        assert platform.exemption_kinds == [ExemptionKind.OWN_PLATFORM_APPROVAL]
        assert platform.may_be_not_applicable

    def test_only_those_three_requirements_allow_any_exemption(self):
        with_exemptions = {r.code for r in CATALOGUE.requirements if r.exemption_kinds}

        assert with_exemptions == {
            "webbtidbok.boka_direkt",
            "npo.ansluten",
            "behandling.egen_plattform_godkand",
        }

    @pytest.mark.django_db
    def test_the_stored_rule_carries_the_allowed_exemption(self, catalogue):
        rule = catalogue.requirements.get(code="webbtidbok.boka_direkt").to_rule()

        assert rule.exemption_kinds == frozenset({ExemptionKind.REQUEST_APPOINTMENT})


class TestEveryRequirement:
    @pytest.mark.parametrize("item", CATALOGUE.requirements, ids=lambda r: r.code)
    def test_it_has_swedish_and_english_names_and_descriptions(self, item):
        assert item.name_sv.strip()
        assert item.name_en.strip()
        assert item.description_sv.strip()
        assert item.description_en.strip()

    @pytest.mark.parametrize("item", CATALOGUE.requirements, ids=lambda r: r.code)
    def test_its_decision_section_is_a_heading_of_the_decision(self, item):
        assert item.decision_section in DECISION_LINES

    def test_codes_are_unique_ascii_and_prefixed_by_their_area(self):
        codes = [r.code for r in CATALOGUE.requirements]

        assert len(codes) == len(set(codes))
        for a in CATALOGUE.areas:
            for r in a.requirements:
                assert r.code.isascii()
                assert r.code.startswith(f"{a.code}.")
