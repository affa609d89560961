"""Revision 2 of the catalogue judges as the decision writes: each finding of the review
against the decision, shown from the decision's words, beside revision 1 where the two
differ. Revision 1 is imported beside it and stays as it was."""

from datetime import date

import pytest

from requirements.catalogue_import import DEFAULT_CATALOGUE_PATH, import_catalogue
from requirements.compliance import ClinicProfile, ExemptionGrant, ReportedAnswer, evaluate
from requirements.models import CatalogueVersion
from requirements.selectors import catalogue_rules
from requirements.vocabulary import (
    AnswerStatus,
    AreaStatus,
    CareType,
    Channel,
    ClinicKind,
    ComplianceStatus,
    ContractForm,
    ExemptionKind,
    ProviderKind,
    RequirementLevel,
)
from tests.requirements.test_catalogue_content import DECISION_LINES

REVISION_2_PATH = DEFAULT_CATALOGUE_PATH.with_name("rs220477-revision-2.yaml")
DAY = date(2027, 1, 1)

E_SERVICES = [
    "boka_bestalla_tid",
    "av_omboka_tid",
    "fornya_recept",
    "kontakta_mig",
    "radgivning",
    "svar_rontgen_provtagning",
    "fornya_hjalpmedel",
    "begara_intyg",
    "bestalla_journalkopior",
    "vaccination_utlandsresa",
    "synpunkter_klagomal",
    "tid_med_tolk",
    "egenremiss",
    "remiss_kommit_fram",
    "levnadsvanor",
    "formular",
    "vardval",
]
E_SERVICE_CODES = [f"etjanster.{code}" for code in E_SERVICES]


def clinic(kind=ClinicKind.VARDCENTRAL, care_type=CareType.HEALTH, provider=ProviderKind.REGION):
    contract = ContractForm.REGION_RUN if provider == ProviderKind.REGION else ContractForm.VARDVAL
    return ClinicProfile(kind, care_type, provider, contract)


VARDCENTRAL = clinic()


@pytest.fixture
def revisions(db):
    first, _created = import_catalogue(DEFAULT_CATALOGUE_PATH)
    second, created = import_catalogue(REVISION_2_PATH)
    assert created
    return catalogue_rules(first), catalogue_rules(second)


@pytest.fixture
def revision_2(revisions):
    return revisions[1]


def answers(rules, changes=None, *, channel=Channel.E_SERVICES_1177):
    """Every requirement answered "met" (through ``channel`` where the channel is asked),
    except where ``changes`` says otherwise; a "not applicable" is justified."""
    changes = changes or {}
    result = {}
    for rule in rules.requirements:
        status = changes.get(rule.code, AnswerStatus.MET)
        if status is None:
            continue
        justification = "Ges inte här." if status == AnswerStatus.NOT_APPLICABLE else ""
        result[rule.code] = ReportedAnswer(rule.code, status, justification, channel)
    return result


def judged(rules, changes=None, exemptions=(), profile=VARDCENTRAL, **options):
    return evaluate(rules, profile, answers(rules, changes, **options), exemptions, DAY)


def test_revision_2_is_a_new_version_and_revision_1_stays_as_it_was(revisions):
    first, second = CatalogueVersion.objects.order_by("revision")

    assert (first.revision, second.revision) == (1, 2)
    assert first.effective_from == date(2022, 3, 19)
    assert second.effective_from == DAY
    assert import_catalogue(DEFAULT_CATALOGUE_PATH) == (first, False)


def test_a_clinic_meeting_everything_meets_the_baseline_under_revision_2(revision_2):
    result = judged(revision_2, exemptions=[own_platform_approval()], channel=Channel.BOTH)

    assert result.meets_baseline
    assert [a.code for a in result.baseline_areas if a.status != AreaStatus.MET] == []


# "med undantag för att vissa tjänster inte kan erbjudas": some, never all.
def test_all_17_e_services_not_applicable_does_not_meet_e_tjanster(revisions):
    first, second = revisions
    all_not_applicable = dict.fromkeys(E_SERVICE_CODES, AnswerStatus.NOT_APPLICABLE)

    assert judged(first, all_not_applicable).area("etjanster").status == AreaStatus.MET
    assert judged(second, all_not_applicable).area("etjanster").status == AreaStatus.NOT_MET


def test_booking_and_contact_cannot_all_be_not_applicable(revision_2):
    core = dict.fromkeys(
        ["etjanster.boka_bestalla_tid", "etjanster.av_omboka_tid", "etjanster.kontakta_mig"],
        AnswerStatus.NOT_APPLICABLE,
    )
    one_kept = {**core, "etjanster.kontakta_mig": AnswerStatus.MET}

    assert judged(revision_2, core).area("etjanster").status == AreaStatus.NOT_MET
    assert judged(revision_2, one_kept).area("etjanster").status == AreaStatus.MET


# "ska kunna erbjuda kontakt med vården på fler sätt än genom fysiska besök".
def test_video_chat_and_telephone_all_not_applicable_does_not_meet_distanskontakt(revisions):
    first, second = revisions
    none = dict.fromkeys(
        ["distans.video", "distans.chatt", "distans.telefon"], AnswerStatus.NOT_APPLICABLE
    )

    assert judged(first, none).area("distans").status == AreaStatus.MET
    assert judged(second, none).area("distans").status == AreaStatus.NOT_MET
    assert (
        judged(second, {**none, "distans.telefon": AnswerStatus.MET}).area("distans").status
        == AreaStatus.MET
    )


# "Används egen plattform ska denna godkännas av Region Halland innan start."
def own_platform_approval(valid_until=None):
    return ExemptionGrant(
        "behandling.egen_plattform_godkand",
        ExemptionKind.OWN_PLATFORM_APPROVAL,
        date(2026, 6, 1),
        valid_until,
        case_id=3,
    )


def test_an_own_treatment_platform_counts_only_once_the_region_has_approved_it(revisions):
    first, second = revisions
    platform = "behandling.egen_plattform_godkand"

    assert judged(first, channel=Channel.OWN_SOLUTION).requirement(platform).status == (
        ComplianceStatus.COMPLIANT
    )
    unapproved = judged(second, channel=Channel.OWN_SOLUTION)
    approved = judged(second, exemptions=[own_platform_approval()], channel=Channel.OWN_SOLUTION)
    assert unapproved.requirement(platform).status == ComplianceStatus.NOT_COMPLIANT
    assert unapproved.area("behandling").status == AreaStatus.NOT_MET
    assert approved.requirement(platform).status == ComplianceStatus.COMPLIANT


def test_a_clinic_treating_through_1177_has_no_platform_to_approve(revision_2):
    result = judged(revision_2, channel=Channel.E_SERVICES_1177)

    assert result.requirement("behandling.egen_plattform_godkand").status == (
        ComplianceStatus.NOT_APPLICABLE
    )
    assert result.area("behandling").status == AreaStatus.MET


# "Sker detta genom egen lösning ska mottagningen alltid hänvisa till egen lösning via
# 1177 Vårdguidens e-tjänster."
OWN_SOLUTION_CODES = ["etjanster.egen_losning_via_1177", "etjanster.komplettering_1177"]


def test_the_own_solution_requirements_do_not_apply_to_a_clinic_using_1177_alone(revision_2):
    result = judged(revision_2, channel=Channel.E_SERVICES_1177)

    for code in OWN_SOLUTION_CODES:
        assert result.requirement(code).status == ComplianceStatus.NOT_APPLICABLE


def test_a_clinic_with_an_own_solution_cannot_mark_referring_to_it_not_applicable(revisions):
    first, second = revisions
    claim = {"etjanster.egen_losning_via_1177": AnswerStatus.NOT_APPLICABLE}

    before = judged(first, claim, channel=Channel.OWN_SOLUTION)
    after = judged(second, claim, channel=Channel.OWN_SOLUTION)

    assert before.requirement("etjanster.egen_losning_via_1177").status == (
        ComplianceStatus.NOT_APPLICABLE
    )
    assert after.requirement("etjanster.egen_losning_via_1177").status == (
        ComplianceStatus.NOT_COMPLIANT
    )
    assert after.area("etjanster").status == AreaStatus.NOT_MET


# "Invånaren bör med enkelhet nå den enskilda tjänsten i den egna lösningen från 1177."
def test_the_bor_is_shown_but_not_counted(revision_2):
    unmet = {"etjanster.egen_losning_enkelt_att_na": AnswerStatus.NOT_MET}

    result = judged(revision_2, unmet, exemptions=[own_platform_approval()], channel=Channel.BOTH)

    advisory = result.requirement("etjanster.egen_losning_enkelt_att_na")
    assert advisory.advisory
    assert advisory.status == ComplianceStatus.NOT_COMPLIANT
    assert result.area("etjanster").status == AreaStatus.MET
    assert result.meets_baseline


def test_the_advisory_requirement_quotes_the_decisions_bor(revision_2):
    rule = next(r for r in revision_2.requirements if r.level == RequirementLevel.ADVISORY)

    assert rule.code == "etjanster.egen_losning_enkelt_att_na"
    assert any(
        "Invånaren bör med enkelhet nå den enskilda tjänsten" in line for line in DECISION_LINES
    )


# "I de fall där Boka tid direkt inte kan erbjudas på grund av befogade tekniska eller
# medicinska skäl används e-tjänsten "beställa tid"."
def booking_exemption():
    return ExemptionGrant(
        "webbtidbok.boka_direkt", ExemptionKind.REQUEST_APPOINTMENT, date(2026, 1, 1)
    )


def test_the_booking_exception_counts_only_while_request_an_appointment_is_offered(revisions):
    first, second = revisions
    no_request = {
        "webbtidbok.boka_direkt": AnswerStatus.NOT_MET,
        "etjanster.boka_bestalla_tid": AnswerStatus.NOT_MET,
    }
    offered = {"webbtidbok.boka_direkt": AnswerStatus.NOT_MET}
    exempted = [booking_exemption()]

    def status(rules, changes):
        return judged(rules, changes, exempted).requirement("webbtidbok.boka_direkt").status

    assert status(first, no_request) == ComplianceStatus.COMPLIANT_BY_EXEMPTION
    assert status(second, no_request) == ComplianceStatus.NOT_COMPLIANT
    assert status(second, offered) == ComplianceStatus.COMPLIANT_BY_EXEMPTION


def test_the_booking_exception_is_for_technical_or_medical_reasons_with_the_alternative(
    revision_2,
):
    rule = next(r for r in revision_2.requirements if r.code == "webbtidbok.boka_direkt")
    exemption = rule.exemption_rule(ExemptionKind.REQUEST_APPOINTMENT)

    assert exemption.reasons == {"technical", "medical"}
    assert exemption.alternative_required


# "Undantag kan ske i speciella fall om dokumentationen görs tillgänglig på andra sätt."
def test_the_npo_exception_must_say_how_the_documentation_is_made_available(revision_2):
    rule = next(r for r in revision_2.requirements if r.code == "npo.ansluten")

    assert rule.exemption_rule(
        ExemptionKind.DOCUMENTATION_OTHERWISE_AVAILABLE
    ).alternative_required


# The obligations revision 1 left out, each a requirement a reviewer can check, named
# with the decision's words.
@pytest.mark.parametrize(
    ("code", "words"),
    [
        (
            "etjanster.tydligt_samma_serviceniva",
            "vården ska erbjuda samma servicenivå via en e-tjänst",
        ),
        (
            "webbtidbok.guidas_ratt_besok",
            "Vid bokning ska invånare guidas till rätt typ av besök och tid",
        ),
        (
            "generella.icke_digital_kontakt",
            "utan att göra avkall på möjligheten för den enskilde invånaren",
        ),
        (
            "npo.eget_system_minst_vas",
            "minst vara den som publiceras från Region Hallands vårdinformationssystem",
        ),
        ("journalen.medarbetare_kannedom", "har god kännedom om hur tjänsten fungerar"),
        ("journalen.medarbetare_logga_in", "vet hur man loggar in som patient/invånare"),
        (
            "journalen.medarbetare_dialog",
            "inkluderar journalen som en naturlig del i dialogen och mötet med patienten",
        ),
        ("journalen.medarbetare_hanvisar", "i första hand hänvisar patienten till Journalen"),
    ],
)
def test_an_obligation_a_reviewer_can_check_is_its_own_requirement(revision_2, code, words):
    codes = {rule.code for rule in revision_2.requirements}

    assert code in codes
    assert any(words in line for line in DECISION_LINES), words
    unmet = judged(revision_2, {code: AnswerStatus.NOT_MET}, channel=Channel.BOTH)
    assert unmet.requirement(code).status == ComplianceStatus.NOT_COMPLIANT


def test_the_bundled_staff_requirement_is_not_carried_on(revisions):
    first, second = revisions

    assert "journalen.medarbetare" in {rule.code for rule in first.requirements}
    assert "journalen.medarbetare" not in {rule.code for rule in second.requirements}


# The scope of Patientnämnden and Vårdgarantiservice, decided once in the file.
@pytest.mark.parametrize("kind", [ClinicKind.PATIENTNAMNDEN, ClinicKind.VARDGARANTISERVICE])
def test_services_that_give_no_care_of_their_own_are_judged_on_contact_only(revision_2, kind):
    result = judged(revision_2, profile=clinic(kind=kind))

    for code in ("webbtidbok", "journalen", "npo", "behandling"):
        assert result.area(code).status == AreaStatus.NOT_APPLICABLE, code
    for code in ("hemsida", "etjanster", "distans"):
        assert result.area(code).status == AreaStatus.MET, code
    assert result.meets_baseline


def test_web_booking_applies_to_the_regions_dental_clinics_and_not_to_private_ones(revision_2):
    folktandvarden = clinic(kind=ClinicKind.GENERAL_DENTAL, care_type=CareType.DENTAL)
    private = clinic(
        kind=ClinicKind.GENERAL_DENTAL, care_type=CareType.DENTAL, provider=ProviderKind.PRIVATE
    )

    assert judged(revision_2, profile=folktandvarden).area("webbtidbok").applicable == 8
    assert judged(revision_2, profile=private).area("webbtidbok").status == (
        AreaStatus.NOT_APPLICABLE
    )
