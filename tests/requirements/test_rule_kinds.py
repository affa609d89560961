"""The rule kinds a catalogue can state beyond applicability, each from the decision's
words, tested as pure functions: minimums of a group, approval before start,
applicability by the answer's channel, advisory requirements ("bör"), and exemptions that
demand another requirement met."""

import dataclasses
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from requirements.compliance import (
    AreaRule,
    CatalogueRules,
    ChannelCondition,
    ExemptionGrant,
    ExemptionRule,
    GroupMinimum,
    ReportedAnswer,
    RequirementRule,
    evaluate,
)
from requirements.vocabulary import (
    AnswerStatus,
    AreaStatus,
    Channel,
    ComplianceStatus,
    ExemptionKind,
    RequirementLevel,
)
from tests.requirements.test_compliance import (
    PRIVATE_DENTAL,
    REGION_VARDCENTRAL,
    SCENARIO_SETTINGS,
    TODAY,
    WEB_BOOKING_APPLICABILITY,
    scenarios,
)

MET, NOT_MET, NOT_APPLICABLE = AnswerStatus.MET, AnswerStatus.NOT_MET, AnswerStatus.NOT_APPLICABLE
JUSTIFIED = "Tjänsten kan inte erbjudas på mottagningen."


def answered(*pairs: tuple[str, AnswerStatus], channel: str = "") -> dict[str, ReportedAnswer]:
    return {
        code: ReportedAnswer(
            code, status, JUSTIFIED if status == NOT_APPLICABLE else "", channel=channel
        )
        for code, status in pairs
    }


def judged(
    catalogue: CatalogueRules, answers, exemptions=(), profile=REGION_VARDCENTRAL, day=TODAY
):
    return evaluate(catalogue, profile, answers, exemptions, day)


# --- A minimum of a group ---------------------------------------------------------------

# "... ett grundpaket av en minsta nivå ... med undantag för att vissa tjänster inte kan
# erbjudas på den aktuella mottagningen": some may be not applicable, never all.
E_SERVICES = tuple(f"etjanster.tjanst_{n}" for n in range(1, 18))
E_SERVICES_AREA = AreaRule(
    "etjanster",
    minimums=(GroupMinimum(frozenset(E_SERVICES), not_all_not_applicable=True),),
)
E_SERVICE_CATALOGUE = CatalogueRules(
    areas=(E_SERVICES_AREA,),
    requirements=tuple(
        RequirementRule(code, "etjanster", may_be_not_applicable=True) for code in E_SERVICES
    ),
)


def test_all_17_e_services_not_applicable_does_not_meet_e_tjanster():
    result = judged(E_SERVICE_CATALOGUE, answered(*((c, NOT_APPLICABLE) for c in E_SERVICES)))

    area = result.area("etjanster")
    assert area.status == AreaStatus.NOT_MET
    assert not area.meets
    assert not result.meets_baseline


def test_some_e_services_not_applicable_and_the_rest_met_meets_e_tjanster():
    answers = answered(
        *((c, MET) for c in E_SERVICES[:1]), *((c, NOT_APPLICABLE) for c in E_SERVICES[1:])
    )

    area = judged(E_SERVICE_CATALOGUE, answers).area("etjanster")

    assert area.status == AreaStatus.MET
    assert area.meets


# "... ska kunna erbjuda kontakt med vården på fler sätt än genom fysiska besök":
# at least one of video, chat and telephone.
REMOTE = ("distans.video", "distans.chatt", "distans.telefon")
REMOTE_CATALOGUE = CatalogueRules(
    areas=(AreaRule("distans", minimums=(GroupMinimum(frozenset(REMOTE), at_least_met=1),)),),
    requirements=tuple(
        RequirementRule(code, "distans", may_be_not_applicable=True) for code in REMOTE
    ),
)


def test_video_chat_and_telephone_all_not_applicable_does_not_meet_distanskontakt():
    area = judged(REMOTE_CATALOGUE, answered(*((c, NOT_APPLICABLE) for c in REMOTE))).area(
        "distans"
    )

    assert area.status == AreaStatus.NOT_MET


def test_one_remote_channel_met_and_the_others_not_applicable_meets_distanskontakt():
    answers = answered(
        ("distans.telefon", MET),
        ("distans.video", NOT_APPLICABLE),
        ("distans.chatt", NOT_APPLICABLE),
    )

    assert judged(REMOTE_CATALOGUE, answers).area("distans").status == AreaStatus.MET


def test_a_group_that_does_not_apply_to_the_clinic_demands_nothing():
    catalogue = CatalogueRules(
        areas=(
            AreaRule(
                "webbtidbok",
                minimums=(GroupMinimum(frozenset({"webbtidbok.boka"}), at_least_met=1),),
            ),
        ),
        requirements=(
            RequirementRule(
                "webbtidbok.boka", "webbtidbok", applicability=WEB_BOOKING_APPLICABILITY
            ),
        ),
    )

    area = judged(catalogue, {}, profile=PRIVATE_DENTAL).area("webbtidbok")

    assert area.status == AreaStatus.NOT_APPLICABLE
    assert area.meets


def test_an_area_with_nothing_applicable_is_not_applicable_never_met():
    catalogue = CatalogueRules(
        areas=(AreaRule("webbtidbok"), AreaRule("hemsida")),
        requirements=(
            RequirementRule(
                "webbtidbok.boka", "webbtidbok", applicability=WEB_BOOKING_APPLICABILITY
            ),
            RequirementRule("hemsida.sida", "hemsida"),
        ),
    )

    result = judged(catalogue, answered(("hemsida.sida", MET)), profile=PRIVATE_DENTAL)

    assert result.area("webbtidbok").status == AreaStatus.NOT_APPLICABLE
    # The baseline is every area that applies: here the page on 1177 alone.
    assert result.meets_baseline


# --- Met only with an approval in force -------------------------------------------------

# "Används egen plattform ska denna godkännas av Region Halland innan start."
OWN_PLATFORM = RequirementRule(
    "behandling.egen_plattform_godkand",
    "behandling",
    exemption_kinds=frozenset({ExemptionKind.OWN_PLATFORM_APPROVAL}),
    approval_required=True,
)
PLATFORM_CATALOGUE = CatalogueRules(areas=(AreaRule("behandling"),), requirements=(OWN_PLATFORM,))


def approval(valid_from=date(2024, 1, 1), valid_until=None):
    return ExemptionGrant(
        OWN_PLATFORM.code, ExemptionKind.OWN_PLATFORM_APPROVAL, valid_from, valid_until, case_id=7
    )


def platform_status(answers, exemptions=()):
    return judged(PLATFORM_CATALOGUE, answers, exemptions).requirement(OWN_PLATFORM.code)


def test_an_own_platform_answered_met_without_an_approval_is_not_compliant():
    assert (
        platform_status(answered((OWN_PLATFORM.code, MET))).status
        == ComplianceStatus.NOT_COMPLIANT
    )


def test_an_own_platform_answered_met_with_an_approval_in_force_is_compliant_citing_it():
    result = platform_status(answered((OWN_PLATFORM.code, MET)), [approval()])

    assert result.status == ComplianceStatus.COMPLIANT
    assert result.exemption.case_id == 7


def test_an_approval_that_has_ended_no_longer_makes_the_platform_compliant():
    ended = approval(valid_until=TODAY - timedelta(days=1))

    assert (
        platform_status(answered((OWN_PLATFORM.code, MET)), [ended]).status
        == ComplianceStatus.NOT_COMPLIANT
    )


def test_an_approval_without_the_answer_met_is_not_compliance():
    assert (
        platform_status(answered((OWN_PLATFORM.code, NOT_MET)), [approval()]).status
        == ComplianceStatus.NOT_COMPLIANT
    )
    assert platform_status({}, [approval()]).status == ComplianceStatus.NOT_REPORTED


# --- Applicability by the answer's channel ----------------------------------------------

# "Används egen lösning ska invånaren kunna hänvisas dit från 1177 Vårdguiden": only a
# clinic with an own solution has anything to refer to.
OWN_SOLUTION = ChannelCondition("etjanster", frozenset({Channel.OWN_SOLUTION, Channel.BOTH}))
BOOKING_E_SERVICE = RequirementRule("etjanster.boka", "etjanster")
REFERRED_FROM_1177 = RequirementRule(
    "etjanster.egen_losning_via_1177", "etjanster", applies_if_channel=OWN_SOLUTION
)
CHANNEL_CATALOGUE = CatalogueRules(
    areas=(AreaRule("etjanster"),), requirements=(BOOKING_E_SERVICE, REFERRED_FROM_1177)
)


def test_the_requirements_of_an_own_solution_do_not_apply_to_a_clinic_using_1177_alone():
    answers = answered((BOOKING_E_SERVICE.code, MET), channel=Channel.E_SERVICES_1177)

    result = judged(CHANNEL_CATALOGUE, answers).requirement(REFERRED_FROM_1177.code)

    assert result.status == ComplianceStatus.NOT_APPLICABLE
    assert not result.applies


def test_the_requirements_of_an_own_solution_apply_once_an_answer_names_one():
    for channel in (Channel.OWN_SOLUTION, Channel.BOTH):
        answers = answered((BOOKING_E_SERVICE.code, MET), channel=channel)
        # Answering "not applicable" is not allowed: the clinic has an own solution.
        answers |= answered((REFERRED_FROM_1177.code, NOT_APPLICABLE))

        result = judged(CHANNEL_CATALOGUE, answers)

        assert result.requirement(REFERRED_FROM_1177.code).status == ComplianceStatus.NOT_COMPLIANT
        assert result.area("etjanster").status == AreaStatus.NOT_MET


# --- Advisory requirements ("bör") ------------------------------------------------------

# "Invånaren bör med enkelhet nå den enskilda tjänsten i den egna lösningen från 1177."
EASY_TO_REACH = RequirementRule(
    "etjanster.enkelt_att_na", "etjanster", level=RequirementLevel.ADVISORY
)
ADVISORY_CATALOGUE = CatalogueRules(
    areas=(AreaRule("etjanster"),), requirements=(BOOKING_E_SERVICE, EASY_TO_REACH)
)


def test_an_unmet_advisory_requirement_is_shown_but_does_not_break_the_area_or_the_baseline():
    result = judged(
        ADVISORY_CATALOGUE, answered((BOOKING_E_SERVICE.code, MET), (EASY_TO_REACH.code, NOT_MET))
    )

    advisory = result.requirement(EASY_TO_REACH.code)
    assert advisory.status == ComplianceStatus.NOT_COMPLIANT
    assert advisory.advisory
    area = result.area("etjanster")
    assert (area.met, area.applicable, area.status) == (1, 1, AreaStatus.MET)
    assert result.meets_baseline


def test_an_area_of_advisory_requirements_alone_is_not_applicable():
    catalogue = CatalogueRules(areas=(AreaRule("etjanster"),), requirements=(EASY_TO_REACH,))

    assert (
        judged(catalogue, answered((EASY_TO_REACH.code, MET))).area("etjanster").status
        == AreaStatus.NOT_APPLICABLE
    )


# --- An exemption that demands another requirement met ----------------------------------

# "Om boka tid direkt inte kan erbjudas på grund av befogade tekniska eller medicinska
# skäl kan e-tjänsten beställa tid användas istället": the exemption stands on "beställa
# tid" being offered.
REQUEST_APPOINTMENT = RequirementRule("etjanster.boka_bestalla_tid", "etjanster")
BOOK_DIRECTLY = RequirementRule(
    "webbtidbok.boka_direkt",
    "webbtidbok",
    exemption_kinds=frozenset({ExemptionKind.REQUEST_APPOINTMENT}),
    exemption_rules=(
        ExemptionRule(
            ExemptionKind.REQUEST_APPOINTMENT,
            reasons=frozenset({"technical", "medical"}),
            alternative_required=True,
            while_met=REQUEST_APPOINTMENT.code,
        ),
    ),
)
BOOKING_CATALOGUE = CatalogueRules(
    areas=(AreaRule("webbtidbok"), AreaRule("etjanster")),
    # The exemption's condition comes after it in catalogue order: the order must not matter.
    requirements=(BOOK_DIRECTLY, REQUEST_APPOINTMENT),
)
BOOKING_EXEMPTION = ExemptionGrant(
    BOOK_DIRECTLY.code, ExemptionKind.REQUEST_APPOINTMENT, date(2024, 1, 1)
)


def test_the_booking_exemption_counts_while_request_an_appointment_is_offered():
    answers = answered((BOOK_DIRECTLY.code, NOT_MET), (REQUEST_APPOINTMENT.code, MET))

    result = judged(BOOKING_CATALOGUE, answers, [BOOKING_EXEMPTION])

    assert result.requirement(BOOK_DIRECTLY.code).status == ComplianceStatus.COMPLIANT_BY_EXEMPTION


def test_the_booking_exemption_does_not_count_when_request_an_appointment_is_not_offered():
    answers = answered((BOOK_DIRECTLY.code, NOT_MET), (REQUEST_APPOINTMENT.code, NOT_MET))

    result = judged(BOOKING_CATALOGUE, answers, [BOOKING_EXEMPTION])

    assert result.requirement(BOOK_DIRECTLY.code).status == ComplianceStatus.NOT_COMPLIANT
    assert not result.meets_baseline


def test_an_exemption_rule_says_which_reasons_it_allows_and_whether_the_alternative_is_required():
    rule = BOOK_DIRECTLY.exemption_rule(ExemptionKind.REQUEST_APPOINTMENT)

    assert rule.reasons == {"technical", "medical"}
    assert rule.alternative_required
    assert BOOK_DIRECTLY.exemption_rule(ExemptionKind.OWN_PLATFORM_APPROVAL) is None


# --- Properties over random catalogues --------------------------------------------------


@st.composite
def scenarios_with_rule_kinds(draw):
    """The random scenarios of test_compliance, with random minimums on their areas and
    some requirements advisory."""
    catalogue, profile, answers, grants, day = draw(scenarios())
    codes = [rule.code for rule in catalogue.requirements]
    areas = tuple(
        dataclasses.replace(
            area,
            minimums=tuple(
                GroupMinimum(
                    frozenset(draw(st.lists(st.sampled_from(codes), max_size=4)))
                    if codes
                    else frozenset(),
                    at_least_met=draw(st.integers(0, 2)),
                    not_all_not_applicable=draw(st.booleans()),
                )
                for _ in range(draw(st.integers(0, 2)))
            ),
        )
        for area in catalogue.areas
    )
    requirements = tuple(
        dataclasses.replace(
            rule,
            level=draw(st.sampled_from(RequirementLevel.values)),
        )
        for rule in catalogue.requirements
    )
    return CatalogueRules(areas, requirements), profile, answers, grants, day


@SCENARIO_SETTINGS
@given(scenarios_with_rule_kinds())
def test_a_clinic_meets_the_baseline_exactly_when_every_applicable_baseline_area_is_met(scenario):
    catalogue, profile, answers, grants, day = scenario

    result = evaluate(catalogue, profile, answers, grants, day)

    applicable = [a for a in result.baseline_areas if a.status != AreaStatus.NOT_APPLICABLE]
    assert result.meets_baseline == all(a.status == AreaStatus.MET for a in applicable)
    for area in result.areas:
        counted = [
            r
            for r in area.results
            if not r.advisory and r.status != ComplianceStatus.NOT_APPLICABLE
        ]
        if not counted:
            # Nothing applicable is never counted as met.
            assert area.status in (AreaStatus.NOT_APPLICABLE, AreaStatus.NOT_MET)
        if area.status == AreaStatus.MET:
            assert counted
            assert all(r.status.counts_as_met for r in counted)
            assert area.minimums_hold


# --- The general requirements, beside the baseline ---------------------------------------


def test_the_general_requirements_are_judged_beside_the_baseline_not_in_it():
    catalogue = CatalogueRules(
        areas=(AreaRule("hemsida"), AreaRule("generella", in_baseline=False)),
        requirements=(
            RequirementRule("hemsida.sida", "hemsida"),
            RequirementRule("generella.pdl", "generella"),
        ),
    )

    result = judged(catalogue, answered(("hemsida.sida", MET), ("generella.pdl", NOT_MET)))

    assert result.meets_baseline
    assert result.meets_general is False
    assert judged(catalogue, answered(("hemsida.sida", MET), ("generella.pdl", MET))).meets_general


def test_a_catalogue_without_general_requirements_says_nothing_of_them():
    assert judged(E_SERVICE_CATALOGUE, {}).meets_general is None
