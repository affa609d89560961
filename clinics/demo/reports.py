"""The demo register's reports and answers, planned without touching the database.

``plan_reports`` is pure: the same seed gives a clinic the same reports and answers
(timestamps move with today's date). A clinic's kind and invented maturity decide which
requirements it meets, which do not apply to it, and how it offers its e-services.
"""

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from clinics.demo.register import ClinicPlan
from clinics.models import ReportState
from requirements.compliance import RequirementRule
from requirements.models import Requirement
from requirements.vocabulary import AnswerStatus, CareType, Channel, ClinicKind

_NO_CARE = {ClinicKind.PATIENTNAMNDEN, ClinicKind.VARDGARANTISERVICE}
_DENTAL = {ClinicKind.GENERAL_DENTAL, ClinicKind.ORTHODONTICS}
_ALL_BUT = set(ClinicKind.values).difference
_NO_CARE_REASON = "Verksamheten ger ingen vård själv och kan därför inte erbjuda tjänsten."
# requirement code -> (clinic kinds for which it is not applicable, the justification).
# Used only where the catalogue allows "not applicable" for the requirement.
_NOT_APPLICABLE = {
    "etjanster.boka_bestalla_tid": (set(), ""),
    "etjanster.av_omboka_tid": (set(), ""),
    "etjanster.fornya_recept": (
        {ClinicKind.ORTHODONTICS, ClinicKind.REHABILITATION},
        "Mottagningen förskriver inte läkemedel.",
    ),
    "etjanster.svar_rontgen_provtagning": (
        {ClinicKind.PSYCHIATRY, ClinicKind.BUP, ClinicKind.REHABILITATION},
        "Mottagningen tar inga prover och gör inga röntgenundersökningar.",
    ),
    "etjanster.fornya_hjalpmedel": (
        _DENTAL | {ClinicKind.PSYCHIATRY, ClinicKind.BUP},
        "Mottagningen förskriver inga hjälpmedel.",
    ),
    "etjanster.begara_intyg": ({ClinicKind.ORTHODONTICS}, "Mottagningen utfärdar inga intyg."),
    "etjanster.bestalla_journalkopior": (set(), ""),
    "etjanster.vaccination_utlandsresa": (
        _ALL_BUT({ClinicKind.VARDCENTRAL}),
        "Vaccination inför utlandsresa ges på vårdcentral, inte på den här mottagningen.",
    ),
    "etjanster.tid_med_tolk": (set(), ""),
    "etjanster.egenremiss": (
        {ClinicKind.VARDCENTRAL, ClinicKind.GENERAL_DENTAL},
        "Mottagningen tar emot patienter utan remiss.",
    ),
    "etjanster.remiss_kommit_fram": (
        {ClinicKind.GENERAL_DENTAL},
        "Mottagningen tar inte emot remisser.",
    ),
    "etjanster.levnadsvanor": (
        {ClinicKind.ORTHODONTICS},
        "Rådgivning om levnadsvanor ingår inte i mottagningens uppdrag.",
    ),
    "etjanster.formular": (set(), ""),
    "etjanster.vardval": (
        _ALL_BUT({ClinicKind.VARDCENTRAL, ClinicKind.GENERAL_DENTAL}),
        "Mottagningen ingår inte i något vårdval där invånaren väljer mottagning.",
    ),
    "behandling.digital_behandling": (
        _DENTAL | {ClinicKind.SPECIALIST},
        "Mottagningens behandlingar lämpar sig inte för behandling via nätet.",
    ),
}
# requirement code -> how hard it is to meet: a clinic's gap (1 - maturity) is multiplied
# by this to give the chance that it falls short of the requirement.
_DIFFICULTY = {
    "hemsida.sida_1177": 0.3,
    "distans.telefon": 0.3,
    "npo.ansluten": 0.6,
    "distans.video": 1.6,
    "distans.chatt": 2.0,
    "distans.aktivt_erbjuda": 1.4,
    "behandling.digital_behandling": 2.5,
    "webbtidbok.tider_i_omfattning": 2.2,
    "webbtidbok.boka_direkt": 1.8,
    "etjanster.tid_med_tolk": 2.5,
    "etjanster.levnadsvanor": 2.0,
    "etjanster.formular": 1.6,
    "etjanster.remiss_kommit_fram": 1.6,
    "journalen.medarbetare": 1.4,
    "generella.riskanalyser": 1.5,
}
_GAP_COMMENTS = (
    "Införs under nästa år.",
    "Erbjuds för vissa yrkesgrupper men ännu inte för alla.",
    "Arbete pågår tillsammans med regionens 1177-förvaltning.",
    "Väntar på byte av journalsystem.",
    "Bemanningen räcker i dag inte för att erbjuda tjänsten fullt ut.",
    "Erbjuds bara på förfrågan.",
)
_ANSWER_REVIEW_COMMENT = "Ange när kravet kommer att uppfyllas."
_RETURN_COMMENTS = (
    "Komplettera med en plan för de krav som inte är uppfyllda.",
    "Beskriv hur webbtidboken är kopplad till journalsystemet.",
    "Motivera varför distanskontakt via video inte erbjuds.",
)


@dataclass(frozen=True)
class DemoRequirement:
    rule: RequirementRule
    asks_channel: bool

    @classmethod
    def of(cls, requirement: Requirement) -> "DemoRequirement":
        return cls(rule=requirement.to_rule(), asks_channel=requirement.asks_channel)


@dataclass(frozen=True)
class AnswerPlan:
    code: str
    status: str
    reported_at: datetime
    channel: str = ""
    evidence_url: str = ""
    comment: str = ""
    justification: str = ""
    review_comment: str = ""


@dataclass(frozen=True)
class ReportPlan:
    state: str
    created_at: datetime
    answers: tuple[AnswerPlan, ...]
    submitted_at: datetime | None = None
    decided_at: datetime | None = None
    review_comment: str = ""

    def transitions(self) -> list[tuple[str, str, datetime]]:
        """(from state, to state, when): the events that brought the report where it is."""
        steps = [("", ReportState.DRAFT, self.created_at)]
        if self.submitted_at:
            steps.append((ReportState.DRAFT, ReportState.SUBMITTED, self.submitted_at))
        if self.decided_at:
            steps.append((ReportState.SUBMITTED, self.state, self.decided_at))
        return steps


@dataclass(frozen=True)
class _Traits:
    maturity: float  # how far the clinic has come, 0-1: 1 meets every requirement
    channel: str  # how it offers e-services
    own_records: bool  # its own record system rather than the region's
    own_platform: bool  # its own treatment platform rather than 1177 Stöd och behandling


def _traits(clinic: ClinicPlan, rng: random.Random) -> _Traits:
    # About a quarter of the clinics lead and meet (nearly) everything; the rest lag.
    leader = rng.random() < 0.25
    if not clinic.is_private:
        maturity = rng.uniform(0.985, 1.0) if leader else rng.uniform(0.75, 0.97)
        return _Traits(maturity, Channel.E_SERVICES_1177, False, False)
    maturity = rng.uniform(0.985, 1.0) if leader else rng.uniform(0.6, 0.95)
    own_solution = rng.random() < (0.5 if clinic.care_type == CareType.DENTAL else 0.35)
    channel = rng.choice([Channel.OWN_SOLUTION, Channel.BOTH]) if own_solution else "1177"
    return _Traits(maturity, channel, rng.random() < 0.6, rng.random() < 0.15)


def _not_applicable_reason(code: str, clinic: ClinicPlan, traits: _Traits, rng) -> str | None:
    if code in ("etjanster.egen_losning_via_1177", "etjanster.komplettering_1177"):
        if traits.channel == Channel.E_SERVICES_1177:
            return "Mottagningen erbjuder alla e-tjänster via 1177 och har ingen egen lösning."
        return None
    if code == "journalen.eget_system_minst_vas" and not traits.own_records:
        return "Mottagningen använder Region Hallands journalsystem."
    if code == "behandling.egen_plattform_godkand" and not traits.own_platform:
        return "Mottagningen använder ingen egen behandlingsplattform."
    if code == "distans.video" and clinic.kind in _DENTAL and rng.random() < 0.5:
        return "Besöken kräver undersökning på plats; video är inte lämpligt."
    if code == "distans.chatt" and clinic.kind in _DENTAL and rng.random() < 0.3:
        return "Skriftliga vårdbesök är inte lämpliga för mottagningens patienter."
    if code in _NOT_APPLICABLE:
        if clinic.kind in _NO_CARE:
            return _NO_CARE_REASON
        kinds, reason = _NOT_APPLICABLE[code]
        if clinic.kind in kinds:
            return reason
    return None


def _channel(code: str, clinic: ClinicPlan, traits: _Traits) -> str:
    if code.startswith("behandling."):
        return Channel.OWN_SOLUTION if traits.own_platform else Channel.E_SERVICES_1177
    return traits.channel


def _answers(
    clinic: ClinicPlan,
    requirements: list[DemoRequirement],
    traits: _Traits,
    maturity: float,
    rng: random.Random,
    when,
) -> list[AnswerPlan]:
    answers = []
    profile = clinic.profile()
    for requirement in requirements:
        rule = requirement.rule
        if not rule.applicability.applies_to(profile):
            continue  # the clinic's kind is outside the requirement: nothing to answer
        reason = _not_applicable_reason(rule.code, clinic, traits, rng)
        if reason and rule.may_be_not_applicable:
            answers.append(
                AnswerPlan(rule.code, AnswerStatus.NOT_APPLICABLE, when(), justification=reason)
            )
            continue
        chance = 1 - min(1.0, (1 - maturity) * _DIFFICULTY.get(rule.code, 1.0))
        draw = rng.random()
        if clinic.kind in _NO_CARE and rule.area_code == "webbtidbok":
            status, comment = AnswerStatus.NOT_MET, "Verksamheten har inga bokningsbara besök."
        elif draw < chance:
            status, comment = AnswerStatus.MET, ""
        else:
            partly = draw < chance + (1 - chance) * 0.6
            status = AnswerStatus.PARTIALLY_MET if partly else AnswerStatus.NOT_MET
            comment = rng.choice(_GAP_COMMENTS) if rng.random() < 0.5 else ""
        offered = status in (AnswerStatus.MET, AnswerStatus.PARTIALLY_MET)
        channel = (
            _channel(rule.code, clinic, traits) if requirement.asks_channel and offered else ""
        )
        evidence = ""
        if status == AnswerStatus.MET and rule.area_code in ("hemsida", "webbtidbok", "etjanster"):
            evidence = (
                clinic.url_1177
                if rng.random() < (0.6 if rule.area_code == "hemsida" else 0.1)
                else ""
            )
        answers.append(AnswerPlan(rule.code, status, when(), channel, evidence, comment))
    return answers


def _improved(answer: AnswerPlan, rng: random.Random, at: datetime, channel: str) -> AnswerPlan:
    """The answer in a later report: a gap is sometimes closed, or partly closed."""
    if answer.status in (AnswerStatus.NOT_MET, AnswerStatus.PARTIALLY_MET) and rng.random() < 0.4:
        better = {
            AnswerStatus.NOT_MET: AnswerStatus.PARTIALLY_MET,
            AnswerStatus.PARTIALLY_MET: AnswerStatus.MET,
        }[answer.status]
        return AnswerPlan(answer.code, better, at, channel=answer.channel or channel)
    return replace(answer, reported_at=at, review_comment="")


def plan_reports(
    clinic: ClinicPlan,
    requirements: list[DemoRequirement],
    *,
    seed: int,
    today: date,
    not_before: date,
) -> list[ReportPlan]:
    """The clinic's reports, oldest first: mostly one approved, sometimes an earlier one,
    about 15% with a report still being worked on, a few with none at all."""
    rng = random.Random(f"{seed}:{clinic.hsa_id}")
    traits = _traits(clinic, rng)
    earliest = max((today - not_before).days, 0)
    asks_channel = {r.rule.code: r.asks_channel for r in requirements}

    def moment(days_ago: int) -> datetime:
        day = today - timedelta(days=max(0, min(days_ago, earliest)))
        return timezone.make_aware(
            datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59)))
        )

    def approved(decided_days_ago: int, maturity: float) -> ReportPlan:
        submitted = decided_days_ago + rng.randint(1, 20)
        created = submitted + rng.randint(3, 30)
        answers = _answers(
            clinic,
            requirements,
            traits,
            maturity,
            rng,
            lambda: moment(rng.randint(submitted, created)),
        )
        return ReportPlan(
            ReportState.APPROVED,
            moment(created),
            tuple(answers),
            submitted_at=moment(submitted),
            decided_at=moment(decided_days_ago),
        )

    def open_report(previous: ReportPlan | None) -> ReportPlan:
        state = rng.choices(
            [ReportState.DRAFT, ReportState.SUBMITTED, ReportState.RETURNED], [50, 35, 15]
        )[0]
        created = rng.randint(5, 60)
        submitted = rng.randint(2, created - 1)
        worked = submitted if state != ReportState.DRAFT else 1

        def when() -> datetime:
            return moment(rng.randint(worked, created))

        if previous is None:
            answers = _answers(clinic, requirements, traits, traits.maturity, rng, when)
        else:  # pre-filled from the approved report, as start_report does
            answers = [
                _improved(answer, rng, when(), _channel(answer.code, clinic, traits))
                if asks_channel.get(answer.code)
                else _improved(answer, rng, when(), "")
                for answer in previous.answers
            ]
        if state == ReportState.DRAFT:  # the reporter is still working down the list
            answers = answers[: rng.randint(min(3, len(answers)), len(answers))]
        review_comment = ""
        if state == ReportState.RETURNED:
            review_comment = rng.choice(_RETURN_COMMENTS)
            gaps = [i for i, a in enumerate(answers) if a.status == AnswerStatus.NOT_MET]
            for i in gaps[:2]:
                answers[i] = replace(answers[i], review_comment=_ANSWER_REVIEW_COMMENT)
        return ReportPlan(
            state,
            moment(created),
            tuple(answers),
            submitted_at=moment(submitted) if state != ReportState.DRAFT else None,
            decided_at=moment(rng.randint(1, submitted - 1))
            if state == ReportState.RETURNED
            else None,
            review_comment=review_comment,
        )

    mix = _report_mix(clinic, rng)
    reports: list[ReportPlan] = []
    if mix in ("approved", "both"):
        if rng.random() < 0.2:
            reports.append(approved(rng.randint(450, 800), traits.maturity - 0.1))
        # Before the open report (both), or before the clinic closed.
        latest = 65 if mix == "both" else 120 if clinic.closed else 10
        reports.append(approved(rng.randint(latest, 400), traits.maturity))
    if mix in ("open", "both"):
        reports.append(open_report(reports[-1] if reports else None))
    return reports


def _report_mix(clinic: ClinicPlan, rng: random.Random) -> str:
    """none (5%), open only (7%), approved and then an open one (8%), approved (80%)."""
    draw = rng.random()
    if clinic.closed or draw >= 0.2:
        return "approved"
    return "none" if draw < 0.05 else "open" if draw < 0.12 else "both"
