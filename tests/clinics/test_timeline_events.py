"""The stored timeline, kept by the services write by write, is the timeline rebuilt from
scratch, and on every day it says what the pure rules say for that day's inputs.

Hypothesis plays random sequences of what happens in a region over months: reports
approved, exemptions approved, revoked and expired, a clinic's kind and its provider's
kind changed, a new catalogue version imported, days passing in between.
"""

import itertools
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinics.models import (
    AreaStatusPeriod,
    CaseState,
    Clinic,
    ClinicStatusPeriod,
    ExemptionCase,
    Provider,
    RequirementStatusPeriod,
    Role,
)
from clinics.services.cases import (
    approve_case,
    create_case,
    expire_due_cases,
    revoke_case,
    submit_case,
)
from clinics.services.register import save_clinic, save_provider
from clinics.services.reports import approve_report, save_answer, start_report, submit_report
from clinics.timeline import rebuild_all
from halland_utbud.errors import ApplicationError
from requirements.catalogue_import import import_catalogue
from requirements.selectors import catalogue_in_force
from requirements.timeline import OPEN_END
from requirements.vocabulary import (
    AnswerStatus,
    CareType,
    ClinicKind,
    ExemptionKind,
    ProviderKind,
)
from tests.compliance_oracle import compliance_on
from tests.factories import make_clinic, make_provider, make_user

STOCKHOLM = ZoneInfo("Europe/Stockholm")
FIRST_DAY = date(2026, 1, 12)

_REQUIREMENT = """
      - code: {code}
        name_sv: Krav {code}
        name_en: Requirement {code}
        description_sv: Beskrivning.
        description_en: Description.
        decision_section: Digitalt utbud
        applies_when: {applies_when}
        may_be_not_applicable: {may_be_not_applicable}
        exemption_kinds: {exemption_kinds}
        permanent_exemption_allowed: {permanent}
        asks_channel: false"""
_AREA = """
  - code: {code}
    name_sv: Område {code}
    name_en: Area {code}
    in_baseline: {in_baseline}
    requirements:{requirements}"""
BOOKING_APPLIES = "[{care_type: [health]}, {care_type: [dental], provider_kind: [region]}]"


def catalogue_text(effective_from: date, *, revised: bool = False) -> str:
    def requirement(code, applies_when="[]", may_be_not_applicable="false", kinds="[]"):
        return _REQUIREMENT.format(
            code=code,
            applies_when=applies_when,
            may_be_not_applicable=may_be_not_applicable,
            exemption_kinds=kinds,
            permanent="true" if kinds != "[]" else "false",
        )

    areas = [
        ("hemsida", "true", [requirement("hemsida.sida_1177")]),
        ("etjanster", "true", [requirement("etjanster.formular", may_be_not_applicable="true")]),
        (
            "webbtidbok",
            "true",
            [
                requirement(
                    "webbtidbok.boka_direkt", BOOKING_APPLIES, kinds="[request_appointment]"
                )
            ],
        ),
        ("generellt", "false", [requirement("generellt.pdl")]),
    ]
    if revised:
        areas.insert(3, ("npo", "true", [requirement("npo.ansluten")]))
    return (
        "decision_id: RS220477\ndecision_date: 2022-03-19\n"
        f"effective_from: {effective_from.isoformat()}\n"
        "title: Digitalt utbud\ntitle_en: Digital offering\nareas:"
        + "".join(
            _AREA.format(code=code, in_baseline=baseline, requirements="".join(requirements))
            for code, baseline, requirements in areas
        )
        + "\n"
    )


# Events


STATUSES = st.sampled_from(
    [
        AnswerStatus.MET,
        AnswerStatus.PARTIALLY_MET,
        AnswerStatus.NOT_MET,
        AnswerStatus.NOT_APPLICABLE,
    ]
)
EVENTS = st.one_of(
    st.tuples(st.just("wait"), st.integers(0, 45)),
    st.tuples(st.just("approve_report"), st.integers(0, 1), st.lists(STATUSES, min_size=5)),
    st.tuples(
        st.just("approve_exemption"),
        st.integers(0, 1),
        st.integers(-20, 20),
        st.none() | st.integers(0, 60),
    ),
    st.tuples(st.just("revoke"), st.integers(0, 5)),
    st.tuples(st.just("expire")),
    st.tuples(st.just("clinic_kind"), st.integers(0, 1), st.booleans()),
    st.tuples(st.just("provider_kind"), st.booleans()),
    st.tuples(st.just("catalogue"), st.integers(-60, 60)),
)


class Region:
    """Two clinics of one provider, their coordinator and a reviewer, on a clock."""

    def __init__(self, tmp_path: Path, traveller):
        self.tmp_path = tmp_path
        self.traveller = traveller
        self.today = FIRST_DAY
        import_catalogue(self._catalogue_file(date(2022, 3, 19), revised=False))
        self.provider = make_provider(kind=ProviderKind.PRIVATE)
        self.clinics = [make_clinic(provider=self.provider) for _ in range(2)]
        self.reporter = make_user(Role.CLINIC_REPORTER, providers=[self.provider])
        self.reviewer = make_user(Role.REVIEWER)

    def _catalogue_file(self, effective_from: date, *, revised: bool) -> Path:
        path = self.tmp_path / f"catalogue-{effective_from}-{revised}.yaml"
        path.write_text(catalogue_text(effective_from, revised=revised), encoding="utf-8")
        return path

    def play(self, event: tuple) -> None:
        getattr(self, event[0])(*event[1:])

    def wait(self, days: int) -> None:
        self.today += timedelta(days=days)
        self.traveller.move_to(datetime(*self.today.timetuple()[:3], 12, tzinfo=STOCKHOLM))

    def approve_report(self, index: int, statuses: list[str]) -> None:
        clinic = Clinic.objects.get(pk=self.clinics[index].pk)
        try:
            report = start_report(clinic=clinic, actor=self.reporter)
        except ApplicationError:
            return  # a report of the clinic is already under way: nothing happens
        requirements = report.catalogue_version.requirements.order_by("position")
        for requirement, status in zip(requirements, statuses * 2, strict=False):
            if status == AnswerStatus.NOT_APPLICABLE and not requirement.may_be_not_applicable:
                status = AnswerStatus.NOT_MET
            save_answer(
                report=report,
                requirement=requirement,
                actor=self.reporter,
                status=status,
                justification="Ges inte här." if status == AnswerStatus.NOT_APPLICABLE else "",
            )
        submit_report(report=report, actor=self.reporter)
        approve_report(report=report, actor=self.reviewer)

    def approve_exemption(self, index: int, start: int, length: int | None) -> None:
        clinic = Clinic.objects.get(pk=self.clinics[index].pk)
        version = catalogue_in_force(self.today)
        valid_from = self.today + timedelta(days=start)
        valid_until = None if length is None else max(valid_from, self.today) + timedelta(length)
        try:
            case = create_case(
                clinic=clinic,
                requirement=version.requirements.get(code="webbtidbok.boka_direkt"),
                actor=self.reporter,
                exemption_kind=ExemptionKind.REQUEST_APPOINTMENT,
                reason_category="technical",
                justification="Journalsystemet saknar stöd.",
                requested_from=valid_from,
                requested_until=valid_until,
            )
        except ApplicationError:
            return  # web booking does not apply to the clinic as it is now
        submit_case(case=case, actor=self.reporter)
        approve_case(
            case=case, actor=self.reviewer, valid_from=valid_from, valid_until=valid_until
        )

    def revoke(self, index: int) -> None:
        approved = list(ExemptionCase.objects.filter(state=CaseState.APPROVED).order_by("pk"))
        if approved:
            case = approved[index % len(approved)]
            revoke_case(case=case, actor=self.reviewer, comment="Villkoren uppfylls inte.")

    def expire(self) -> None:
        expire_due_cases(self.today)

    def clinic_kind(self, index: int, dental: bool) -> None:
        clinic = Clinic.objects.get(pk=self.clinics[index].pk)
        clinic.kind = ClinicKind.GENERAL_DENTAL if dental else ClinicKind.VARDCENTRAL
        clinic.care_type = CareType.DENTAL if dental else CareType.HEALTH
        save_clinic(clinic=clinic, actor=None)

    def provider_kind(self, region: bool) -> None:
        provider = Provider.objects.get(pk=self.provider.pk)
        provider.kind = ProviderKind.REGION if region else ProviderKind.PRIVATE
        save_provider(provider=provider, actor=None)

    def catalogue(self, offset: int) -> None:
        import_catalogue(self._catalogue_file(self.today + timedelta(days=offset), revised=True))


def stored_timeline() -> dict[str, list[tuple]]:
    """Every row of the three tables, without the ids a rewrite renews."""

    def rows(model) -> list[tuple]:
        fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        return sorted(model.objects.values_list(*fields))

    return {
        model.__name__: rows(model)
        for model in (ClinicStatusPeriod, AreaStatusPeriod, RequirementStatusPeriod)
    }


def assert_timeline_says_what_the_rules_say(clinics: list[Clinic], day: date) -> None:
    for clinic in clinics:
        expected = compliance_on(clinic, day)
        whole = ClinicStatusPeriod.objects.on(day).get(clinic=clinic)
        statuses = dict(
            RequirementStatusPeriod.objects.on(day)
            .filter(clinic=clinic)
            .values_list("requirement_code", "status")
        )
        areas = dict(
            AreaStatusPeriod.objects.on(day)
            .filter(clinic=clinic)
            .values_list("area_code", "status")
        )
        if expected is None:
            assert (whole.catalogue_version_id, statuses, areas) == (None, {}, {})
            continue
        assert (whole.meets_baseline, whole.met, whole.applicable) == (
            expected.meets_baseline,
            expected.met,
            expected.applicable,
        ), (clinic, day)
        assert statuses == {r.code: r.status for a in expected.areas for r in a.results}
        assert areas == {area.code: area.status for area in expected.areas}


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    events=st.lists(EVENTS, min_size=1, max_size=12),
    days=st.lists(st.integers(-30, 400), min_size=3, max_size=6),
)
def test_the_kept_timeline_is_the_rebuilt_one_and_says_what_the_rules_say(tmp_path, events, days):
    start = datetime(*FIRST_DAY.timetuple()[:3], 12, tzinfo=STOCKHOLM)
    with time_machine.travel(start, tick=False) as traveller, transaction.atomic():
        region = Region(tmp_path, traveller)
        for event in events:
            region.play(event)

        kept = stored_timeline()
        rebuild_all()
        assert stored_timeline() == kept

        clinics = list(Clinic.objects.filter(pk__in=[c.pk for c in region.clinics]))
        for offset in [0, *days]:
            assert_timeline_says_what_the_rules_say(clinics, FIRST_DAY + timedelta(offset))
        transaction.set_rollback(True)


def test_every_clinic_has_one_row_on_every_day_and_the_last_stays_open(catalogue, clinic):
    rows = list(ClinicStatusPeriod.objects.filter(clinic=clinic).order_by("valid_from"))

    assert rows[0].valid_from == date.min
    assert rows[-1].valid_to == OPEN_END
    assert all(a.valid_to == b.valid_from for a, b in itertools.pairwise(rows))
