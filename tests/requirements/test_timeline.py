"""The timeline as the pure rules give it: intervals that change exactly on the days an
input changes, and that say on every day what the rules say for that day's inputs."""

import itertools
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from requirements.compliance import (
    Applicability,
    AreaRule,
    CatalogueRules,
    ExemptionGrant,
    ReportedAnswer,
    RequirementRule,
)
from requirements.timeline import (
    BEGINNING,
    OPEN_END,
    ApprovedAnswer,
    ApprovedReport,
    AttributeChange,
    CatalogueEdition,
    ClinicAttributes,
    ClinicInputs,
    day_after,
    derive_timeline,
)
from requirements.vocabulary import (
    AnswerStatus,
    AreaStatus,
    CareType,
    ClinicKind,
    ComplianceStatus,
    ContractForm,
    ExemptionKind,
    Municipality,
    ProviderKind,
)

START = date(2022, 3, 19)
RULES = CatalogueRules(
    areas=(AreaRule("hemsida"), AreaRule("webbtidbok"), AreaRule("generellt", in_baseline=False)),
    requirements=(
        RequirementRule("hemsida.sida_1177", "hemsida"),
        RequirementRule(
            "webbtidbok.boka_direkt",
            "webbtidbok",
            applicability=Applicability(({"care_type": frozenset({CareType.HEALTH})},)),
            exemption_kinds=frozenset({ExemptionKind.REQUEST_APPOINTMENT}),
        ),
        RequirementRule("generellt.pdl", "generellt"),
    ),
)
EDITION = CatalogueEdition(
    version_id=1,
    effective_from=START,
    revision=1,
    rules=RULES,
    requirement_ids={r.code: n for n, r in enumerate(RULES.requirements, start=10)},
    area_ids={a.code: n for n, a in enumerate(RULES.areas, start=20)},
)
# A later revision that no longer asks for the clinic's page on 1177.
REVISED = CatalogueEdition(
    version_id=2,
    effective_from=date(2024, 1, 1),
    revision=2,
    rules=CatalogueRules(areas=RULES.areas, requirements=RULES.requirements[1:]),
)
HEALTH_CENTRE = ClinicAttributes(
    kind=ClinicKind.VARDCENTRAL,
    care_type=CareType.HEALTH,
    municipality_code=Municipality.HALMSTAD,
    contract_form=ContractForm.VARDVAL,
    provider_id=7,
    provider_kind=ProviderKind.PRIVATE,
)
DENTAL = ClinicAttributes(
    kind=ClinicKind.GENERAL_DENTAL,
    care_type=CareType.DENTAL,
    municipality_code=Municipality.HALMSTAD,
    contract_form=ContractForm.VARDVAL,
    provider_id=7,
    provider_kind=ProviderKind.PRIVATE,
)


def report(report_id: int, since: date, **statuses: str) -> ApprovedReport:
    """``hemsida="met"`` answers hemsida.sida_1177 and so on, by the code's area."""
    codes = {r.area_code: r.code for r in RULES.requirements}
    return ApprovedReport(
        report_id,
        since,
        {
            codes[area]: ApprovedAnswer(
                ReportedAnswer(codes[area], AnswerStatus(status)), answer_id=report_id * 100 + n
            )
            for n, (area, status) in enumerate(statuses.items())
        },
    )


def inputs(**fields) -> ClinicInputs:
    fields.setdefault("attributes", (AttributeChange(BEGINNING, HEALTH_CENTRE),))
    fields.setdefault("catalogue", (EDITION,))
    return ClinicInputs(clinic_id=1, **fields)


def statuses_of(timeline, code: str) -> list[tuple[date, date, str]]:
    return [(r.valid_from, r.valid_to, r.status) for r in timeline.requirements if r.code == code]


def test_before_the_first_catalogue_a_clinic_has_attributes_but_nothing_to_be_judged_by():
    timeline = derive_timeline(inputs())

    first, second = timeline.clinic
    assert (first.valid_from, first.valid_to, first.version_id) == (BEGINNING, START, None)
    assert first.meets_baseline is None
    assert (second.valid_from, second.valid_to, second.version_id) == (START, OPEN_END, 1)
    assert all(r.valid_from == START for r in timeline.requirements)


def test_without_a_report_everything_that_applies_is_not_reported_from_the_start():
    timeline = derive_timeline(inputs())

    assert statuses_of(timeline, "hemsida.sida_1177") == [
        (START, OPEN_END, ComplianceStatus.NOT_REPORTED)
    ]
    assert {a.code: a.status for a in timeline.areas} == {
        "hemsida": AreaStatus.NOT_REPORTED,
        "webbtidbok": AreaStatus.NOT_REPORTED,
        "generellt": AreaStatus.NOT_REPORTED,
    }


def test_an_approved_report_counts_from_the_day_of_its_approval():
    approved = date(2025, 5, 2)
    timeline = derive_timeline(
        inputs(reports=(report(1, approved, hemsida="met", webbtidbok="not_met"),))
    )

    assert statuses_of(timeline, "hemsida.sida_1177") == [
        (START, approved, ComplianceStatus.NOT_REPORTED),
        (approved, OPEN_END, ComplianceStatus.COMPLIANT),
    ]
    now = timeline.clinic[-1]
    assert (now.valid_from, now.report_id, now.met, now.applicable) == (approved, 1, 1, 2)
    booking = [r for r in timeline.requirements if r.code == "webbtidbok.boka_direkt"][-1]
    assert (booking.status, booking.answer_id, booking.answer_status) == (
        ComplianceStatus.NOT_COMPLIANT,
        101,
        AnswerStatus.NOT_MET,
    )


def test_an_exemption_ending_on_day_x_is_a_change_on_day_x_plus_one():
    approved, last_day = date(2025, 5, 2), date(2025, 8, 31)
    grant = ExemptionGrant(
        "webbtidbok.boka_direkt", ExemptionKind.REQUEST_APPOINTMENT, date(2025, 6, 1), last_day, 9
    )
    timeline = derive_timeline(
        inputs(
            reports=(report(1, approved, hemsida="met", webbtidbok="not_met"),),
            exemptions=(grant,),
        )
    )

    assert statuses_of(timeline, "webbtidbok.boka_direkt")[-3:] == [
        (approved, date(2025, 6, 1), ComplianceStatus.NOT_COMPLIANT),
        (date(2025, 6, 1), date(2025, 9, 1), ComplianceStatus.COMPLIANT_BY_EXEMPTION),
        (date(2025, 9, 1), OPEN_END, ComplianceStatus.NOT_COMPLIANT),
    ]
    exempted = [r for r in timeline.requirements if r.case_id is not None]
    assert [(r.case_id, r.exemption_kind) for r in exempted] == [
        (9, ExemptionKind.REQUEST_APPOINTMENT)
    ]
    in_force = {c.valid_from: c.exemptions_in_force for c in timeline.clinic}
    assert (in_force[date(2025, 6, 1)], in_force[date(2025, 9, 1)]) == (1, 0)


def test_a_change_of_kind_changes_what_applies_from_that_day():
    changed = date(2025, 1, 10)
    timeline = derive_timeline(
        inputs(
            attributes=(
                AttributeChange(BEGINNING, HEALTH_CENTRE),
                AttributeChange(changed, DENTAL),
            )
        )
    )

    assert statuses_of(timeline, "webbtidbok.boka_direkt") == [
        (START, changed, ComplianceStatus.NOT_REPORTED),
        (changed, OPEN_END, ComplianceStatus.NOT_APPLICABLE),
    ]
    assert [c.attributes.kind for c in timeline.clinic] == [
        ClinicKind.VARDCENTRAL,
        ClinicKind.VARDCENTRAL,
        ClinicKind.GENERAL_DENTAL,
    ]


def test_a_clinic_is_active_from_its_first_day_to_its_last():
    attributes = replace(
        HEALTH_CENTRE, active_from=date(2023, 1, 1), active_until=date(2025, 6, 30)
    )
    timeline = derive_timeline(inputs(attributes=(AttributeChange(BEGINNING, attributes),)))

    assert [(c.valid_from, c.active) for c in timeline.clinic] == [
        (BEGINNING, False),
        (START, False),
        (date(2023, 1, 1), True),
        (date(2025, 7, 1), False),
    ]


def test_a_new_catalogue_version_starts_new_rows_and_ends_those_it_no_longer_asks():
    timeline = derive_timeline(inputs(catalogue=(EDITION, REVISED)))

    assert statuses_of(timeline, "hemsida.sida_1177") == [
        (START, REVISED.effective_from, ComplianceStatus.NOT_REPORTED)
    ]
    booking = [r for r in timeline.requirements if r.code == "webbtidbok.boka_direkt"]
    assert [(r.valid_from, r.version_id) for r in booking] == [
        (START, 1),
        (REVISED.effective_from, 2),
    ]


def test_stretches_that_say_the_same_are_one_interval():
    # A second approval with the same answers changes no requirement's status, only the
    # report in force: the requirement rows stay whole except for the answer behind them.
    timeline = derive_timeline(
        inputs(
            reports=(
                report(1, date(2025, 1, 1), hemsida="met", webbtidbok="met", generellt="met"),
                report(2, date(2025, 6, 1), hemsida="met", webbtidbok="met", generellt="met"),
            )
        )
    )

    areas = [(a.code, a.valid_from) for a in timeline.areas if a.code == "hemsida"]
    assert areas == [("hemsida", START), ("hemsida", date(2025, 1, 1))]


def test_the_day_after_the_last_representable_day_stays_open():
    assert day_after(OPEN_END) == OPEN_END
    assert day_after(date(2025, 12, 31)) == date(2026, 1, 1)


# Random inputs: the timeline says on every day what the rules say for that day's inputs.

DAYS = st.integers(min_value=-400, max_value=1500).map(lambda n: START + timedelta(days=n))
STATUS = st.sampled_from(list(AnswerStatus))


@st.composite
def clinic_inputs(draw) -> ClinicInputs:
    changes = [AttributeChange(BEGINNING, draw(st.sampled_from([HEALTH_CENTRE, DENTAL])))]
    for day in sorted(set(draw(st.lists(DAYS, max_size=3)))):
        if day > BEGINNING:
            changes.append(AttributeChange(day, draw(st.sampled_from([HEALTH_CENTRE, DENTAL]))))
    reports = tuple(
        report(n, day, hemsida=draw(STATUS), webbtidbok=draw(STATUS), generellt=draw(STATUS))
        for n, day in enumerate(sorted(draw(st.lists(DAYS, max_size=4))), start=1)
    )
    grants = tuple(
        ExemptionGrant(
            "webbtidbok.boka_direkt",
            draw(st.sampled_from(list(ExemptionKind))),
            start,
            None if length is None else start + timedelta(days=length),
            case_id,
        )
        for case_id, (start, length) in enumerate(
            draw(st.lists(st.tuples(DAYS, st.none() | st.integers(0, 200)), max_size=3))
        )
    )
    catalogue = draw(st.sampled_from([(EDITION,), (EDITION, REVISED)]))
    return ClinicInputs(1, tuple(changes), reports, grants, catalogue)


@given(clinic_inputs(), st.lists(DAYS, min_size=1, max_size=8))
def test_on_every_day_the_timeline_says_what_the_rules_say(clinic, days):
    timeline = derive_timeline(clinic)

    for day in days:
        expected = clinic.evaluate_on(day)
        [whole] = [c for c in timeline.clinic if c.valid_from <= day < c.valid_to]
        requirements = {
            r.code: r for r in timeline.requirements if r.valid_from <= day < r.valid_to
        }
        areas = {a.code: a for a in timeline.areas if a.valid_from <= day < a.valid_to}
        assert whole.attributes == clinic.attributes_on(day)
        if expected is None:
            assert (whole.version_id, requirements, areas) == (None, {}, {})
            continue
        assert (whole.meets_baseline, whole.met, whole.applicable) == (
            expected.meets_baseline,
            expected.met,
            expected.applicable,
        )
        for area in expected.areas:
            assert (areas[area.code].status, areas[area.code].met) == (area.status, area.met)
            for result in area.results:
                assert requirements[result.code].status == result.status
        assert set(requirements) == {r.code for r in clinic.edition_on(day).rules.requirements}


@given(clinic_inputs())
def test_each_key_has_ordered_intervals_that_never_overlap(clinic):
    timeline = derive_timeline(clinic)

    by_key: dict = {}
    for row in timeline.requirements:
        by_key.setdefault(("requirement", row.code), []).append(row)
    for row in timeline.areas:
        by_key.setdefault(("area", row.code), []).append(row)
    by_key[("clinic",)] = list(timeline.clinic)
    for rows in by_key.values():
        for earlier, later in itertools.pairwise(rows):
            assert earlier.valid_from < earlier.valid_to <= later.valid_from
    # The clinic itself is described on every day, from the beginning to the open end.
    clinic_rows = by_key[("clinic",)]
    assert clinic_rows[0].valid_from == BEGINNING
    assert clinic_rows[-1].valid_to == OPEN_END
    assert all(a.valid_to == b.valid_from for a, b in itertools.pairwise(clinic_rows))
