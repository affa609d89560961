"""The indicators, computed as GROUP BYs over the timeline, say what counting the clinics one
by one with the pure rules says; by any dimension as for the region; and in the same
number of queries for 50 clinics as for 2,000."""

from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinics.demo import seed_demo
from clinics.models import Answer, Clinic, ClinicStatusPeriod, ReportState, Role
from clinics.services.reports import (
    approve_report,
    start_report,
    submit_report,
    unanswered_requirements,
)
from clinics.services.rounds import close_round, open_round, round_progress
from followup import figures
from followup.demo import seed_demo_usage
from followup.figures import figures_on
from followup.indicators import INDICATORS
from followup.vocabulary import Dimension, Unit
from requirements.vocabulary import AnswerStatus, AreaStatus, Channel, ComplianceStatus
from tests.api.helpers import bulk_approved_reports
from tests.compliance_oracle import compliance_on
from tests.factories import approved_web_booking_exemption, make_provider, make_user
from tests.followup.test_overview_page import bulk_clinics
from tests.seeded import built_once


def exempt_from_web_booking(clinics, reviewer, *, first_day, days):
    """An approved "request an appointment" exemption for each clinic, from ``first_day``
    for ``days`` days."""
    for clinic in clinics:
        approved_web_booking_exemption(
            clinic,
            reporter=make_user(Role.CLINIC_REPORTER, clinics=[clinic]),
            reviewer=reviewer,
            valid_from=first_day,
            valid_until=first_day + timedelta(days=days),
        )


@pytest.fixture(scope="class")
def _seeded_register(django_db_setup, django_db_blocker):
    yield from built_once(django_db_blocker, _seed_with_exemptions)


@pytest.fixture
def demo(_seeded_register, catalogue):
    """Today, on a demo register of 80 clinics where four have a web booking exemption."""
    return _seeded_register


def _seed_with_exemptions():
    seed_demo(clinics=80, seed=11)
    today = timezone.localdate()
    reviewer = make_user(Role.REVIEWER)
    booking = (
        Clinic.objects.filter(care_type="health", kind="vardcentral")
        .exclude(
            reports__answers__requirement__code="webbtidbok.boka_direkt",
            reports__answers__status=AnswerStatus.MET,
        )
        .order_by("pk")[:4]
    )
    exempt_from_web_booking(booking[:2], reviewer, first_day=today - timedelta(days=10), days=30)
    exempt_from_web_booking(booking[2:], reviewer, first_day=today, days=200)
    return today


def counted_one_by_one(day):
    """What each indicator's region figure is, counted clinic by clinic with the pure
    rules (tests/compliance_oracle.py) and the answers: the reference."""
    numerators, denominators = Counter(), Counter()
    shares = 0.0
    active = Clinic.objects.active_on(day).order_by("pk")
    for clinic in active:
        compliance = compliance_on(clinic, day)
        numerators["baseline"] += compliance.meets_baseline
        denominators["baseline"] += 1
        for area in compliance.areas:
            if area.status != AreaStatus.NOT_APPLICABLE:
                denominators[f"area.{area.code}"] += 1
                numerators[f"area.{area.code}"] += area.status == AreaStatus.MET
            if area.code == "etjanster" and area.applicable:
                shares += area.met / area.applicable
                denominators["e_services.mean_share"] += 1
            for result in area.results:
                if result.exemption is not None:
                    numerators["exemptions.in_force"] += 1
                    until = result.exemption.valid_until
                    numerators["exemptions.ending_90_days"] += (
                        until is not None and day <= until <= day + timedelta(days=90)
                    )
        for indicator, code in [
            ("web_booking.direct", "webbtidbok.boka_direkt"),
            ("remote.video", "distans.video"),
            ("remote.chat", "distans.chatt"),
            ("remote.telephone", "distans.telefon"),
        ]:
            status = compliance.requirement(code).status
            denominators[indicator] += status != ComplianceStatus.NOT_APPLICABLE
            numerators[indicator] += status == ComplianceStatus.COMPLIANT
    numerators["e_services.mean_share"] = shares
    return numerators, denominators


def region_figures(day) -> dict[str, tuple[float, float | None]]:
    return {
        figure.indicator.id: (figure.numerator, figure.denominator)
        for figure in figures_on(day)
        if figure.dimension == Dimension.REGION
    }


def round_for_every_clinic(day, admin, name: str):
    """A round opened on ``day`` for every clinic, due in 30 days."""
    return open_round(
        name=name,
        deadline=day + timedelta(days=30),
        clinics=Clinic.objects.all(),
        selection={"q": ""},
        actor=admin,
    )


class TestOnTheDemoRegister:
    """The figures on one demo register of 80 clinics, seeded once for the class; what a
    test changes is rolled back after it."""

    @pytest.mark.parametrize("days_back", [0, 45])
    def test_the_region_figures_are_the_clinics_counted_one_by_one(self, demo, days_back):
        day = demo - timedelta(days=days_back)
        numerators, denominators = counted_one_by_one(day)

        figures = region_figures(day)

        for indicator in INDICATORS:
            if indicator.id not in numerators and indicator.id not in denominators:
                continue
            numerator, denominator = figures[indicator.id]
            assert numerator == pytest.approx(numerators[indicator.id]), indicator.id
            if indicator.unit == Unit.SHARE:
                assert denominator == denominators[indicator.id], indicator.id
        assert figures["exemptions.in_force"][0] == (2 if days_back == 0 else 0)

    def test_the_share_through_1177_counts_the_approved_answers_channels(self, demo):
        in_force = ClinicStatusPeriod.objects.on(demo).filter(active=True)
        answers = Answer.objects.filter(
            report__in=in_force.values("report"),
            requirement__area__code="etjanster",
            status=AnswerStatus.MET,
        )
        offered = answers.count()
        through_1177 = answers.filter(channel__in=[Channel.E_SERVICES_1177, Channel.BOTH]).count()

        assert region_figures(demo)["e_services.via_1177"] == (through_1177, offered)

    @pytest.mark.parametrize(
        "dimension", [d for d in Dimension if d != Dimension.REGION], ids=lambda d: d.value
    )
    def test_every_breakdown_adds_up_to_the_region(self, demo, dimension):
        figures = list(figures_on(demo))
        region = {f.indicator.id: f for f in figures if f.dimension == Dimension.REGION}
        summed = defaultdict(lambda: [0.0, 0.0])
        for figure in figures:
            if figure.dimension == dimension:
                summed[figure.indicator.id][0] += figure.numerator
                summed[figure.indicator.id][1] += figure.denominator or 0

        for id, figure in region.items():
            assert summed[id][0] == pytest.approx(figure.numerator), id
            assert summed[id][1] == pytest.approx(figure.denominator or 0), id

    def test_a_breakdown_by_municipality_counts_each_clinic_where_it_was_that_day(self, demo):
        clinics = ClinicStatusPeriod.objects.on(demo).filter(active=True)
        expected = Counter(clinics.values_list("municipality_code", flat=True))

        by_municipality = {
            figure.dimension_value: figure.denominator
            for figure in figures_on(demo)
            if figure.indicator.id == "baseline" and figure.dimension == Dimension.MUNICIPALITY
        }

        assert by_municipality == {code: float(count) for code, count in expected.items()}

    def test_the_round_figures_are_the_rounds_progress(self, demo):
        admin = make_user(Role.REGION_ADMIN)
        reviewer = make_user(Role.REVIEWER)
        round = round_for_every_clinic(demo, admin, "Egenrapportering 2026")
        # Drafts pre-filled from an approved report can be submitted as they are.
        reports = [
            r
            for r in round.reports.order_by("pk")
            if r.state == ReportState.DRAFT and not unanswered_requirements(r)
        ][:6]
        assert len(reports) == 6
        for report in reports[:4]:
            reporter = make_user(Role.CLINIC_REPORTER, clinics=[report.clinic])
            submit_report(report=report, actor=reporter)
        for report in reports[:2]:
            approve_report(report=report, actor=reviewer)
        progress = round_progress(round, demo)

        figures = region_figures(demo)

        total = float(progress.total)
        assert figures["round.submitted"] == (progress.submitted + progress.approved, total)
        assert figures["round.approved"] == (progress.approved, total)
        assert figures["round.overdue"] == (0, total)
        after = round.deadline + timedelta(days=1)
        late = round_progress(round, after)
        assert late.overdue > 0
        assert region_figures(after)["round.overdue"] == (late.overdue, total)

    def test_a_report_started_outside_a_round_is_not_counted_in_it(self, demo):
        clinic = Clinic.objects.order_by("pk").first()
        start_report(clinic=clinic, actor=make_user(Role.CLINIC_REPORTER, clinics=[clinic]))

        assert "round.submitted" not in region_figures(demo)

    def test_a_round_closed_during_the_day_is_no_longer_in_progress_at_its_end(self, demo):
        admin = make_user(Role.REGION_ADMIN)
        round = round_for_every_clinic(demo, admin, "Egenrapportering")
        assert "round.submitted" in region_figures(demo)

        close_round(round=round, actor=admin)

        assert "round.submitted" not in region_figures(demo)

    def test_the_grouping_sets_give_what_one_query_per_dimension_gives(self, demo, monkeypatch):
        if connection.vendor != "postgresql":
            pytest.skip("GROUPING SETS are PostgreSQL's; SQLite always runs one query a dimension")
        day = demo - timedelta(days=1)
        seed_demo_usage(today=demo)

        def counted():
            return sorted(
                # A sum of shares may differ in its last bits with the order it is summed in.
                (
                    f.indicator.id,
                    f.dimension.value,
                    f.dimension_value,
                    round(f.numerator, 9),
                    f.denominator,
                )
                for f in figures_on(day)
            )

        together = counted()
        monkeypatch.setattr(figures, "_has_grouping_sets", lambda: False)
        one_by_one = counted()

        assert together == one_by_one
        assert len({row[1] for row in together}) == len(Dimension)
        assert {"usage.web_bookings_unused", "area.hemsida"} <= {row[0] for row in together}


def test_the_number_of_queries_is_the_same_for_50_and_2000_clinics(catalogue):
    def clinics(count: int, start: int) -> None:
        for offset in range(0, count, 25):  # 25 clinics a provider
            added = bulk_clinics(25, provider=make_provider(), start=start + offset)
            bulk_approved_reports(added[:10], catalogue, failing={added[0].pk})

    clinics(50, 0)
    with CaptureQueriesContext(connection) as few:
        small = figures_on(timezone.localdate())

    clinics(1950, 50)
    with CaptureQueriesContext(connection) as many:
        large = figures_on(timezone.localdate())

    assert len(few) == len(many)
    assert len(large) > len(small)
