"""Snapshots: a period's rows are written whole and replaced whole; a job killed half-way
leaves the previous set; the nightly job at each month-end and a backfill afterwards give
the same rows; and the job's queries do not grow with the register."""

import io
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinics.models import Clinic, Role
from clinics.services.reports import approve_report, start_report, submit_report
from followup import snapshots
from followup.figures import figures_on
from followup.models import Snapshot
from followup.periods import Period, PeriodError
from followup.snapshots import take_snapshots
from followup.tasks import take_nightly_snapshots
from followup.vocabulary import Dimension
from requirements.vocabulary import AnswerStatus
from tests.api.helpers import bulk_approved_reports, client_for
from tests.factories import (
    answer_everything,
    approved_web_booking_exemption,
    make_clinic,
    make_provider,
    make_user,
)
from tests.followup.test_overview_page import bulk_clinics

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def yesterday() -> date:
    """The last complete day: the latest a snapshot can be of."""
    return timezone.localdate() - timedelta(days=1)


def stored(period: str | None = None) -> list[tuple]:
    """The snapshot rows, without what a rerun renews (ids, computation time)."""
    fields = [
        f.attname for f in Snapshot._meta.concrete_fields if f.attname not in {"id", "computed_at"}
    ]
    rows = Snapshot.objects.all() if period is None else Snapshot.objects.filter(period=period)
    return sorted(rows.values_list(*fields))


@pytest.fixture
def region(catalogue):
    """Twelve clinics of two providers: half with an approved report meeting everything."""
    clinics = bulk_clinics(6, provider=make_provider()) + bulk_clinics(
        6, provider=make_provider(), start=6
    )
    bulk_approved_reports(clinics[::2], catalogue, failing={clinics[0].pk})
    return clinics


def test_a_snapshot_holds_every_figure_of_the_day_for_each_period(region):
    day = yesterday()

    result = take_snapshots(periods=[Period.parse(f"{day.year}")], as_of=day)

    figures = figures_on(day)
    assert result.rows == len(figures) == Snapshot.objects.count()
    baseline = Snapshot.objects.region().get(indicator="baseline")
    assert (baseline.numerator, baseline.denominator, baseline.value) == (5, 12, 5 / 12)
    assert baseline.as_of == day
    assert baseline.catalogue_version is not None


def test_the_nightly_job_writes_yesterday_for_its_year_quarter_and_month(region):
    day = yesterday()

    take_nightly_snapshots.delay()

    periods = {period.code for period in Period.containing(day)}
    assert set(Snapshot.objects.values_list("period", flat=True)) == periods
    assert set(Snapshot.objects.values_list("as_of", flat=True)) == {day}


def test_a_rerun_replaces_the_period_and_gives_the_same_rows(region):
    day = yesterday()
    month = Period.containing(day)[2]
    take_snapshots(periods=[month], as_of=day)
    first = stored()

    take_snapshots(periods=[month], as_of=day)

    assert stored() == first


def test_a_rerun_after_a_change_replaces_every_row_of_the_period(region, catalogue):
    day = yesterday()
    month = Period.containing(day)[2]
    take_snapshots(periods=[month], as_of=day)

    bulk_approved_reports(region[1::2], catalogue)
    take_snapshots(periods=[month], as_of=day)

    baseline = Snapshot.objects.region().get(indicator="baseline")
    assert baseline.numerator == 11
    assert Snapshot.objects.filter(period=month.code).count() == len(figures_on(day))


def test_a_job_killed_half_way_leaves_the_previous_complete_snapshot(
    region, catalogue, monkeypatch
):
    day = yesterday()
    periods = list(Period.containing(day))
    take_snapshots(periods=periods, as_of=day)
    before = stored()
    bulk_approved_reports(region[1::2], catalogue)

    write = snapshots.insert_figures

    def dies_after_some_rows(period, figures, **options):
        write(period, replace(figures, figures=figures.figures[: len(figures) // 2]), **options)
        raise RuntimeError("the worker was killed")

    monkeypatch.setattr(snapshots, "insert_figures", dies_after_some_rows)
    with pytest.raises(RuntimeError):
        take_snapshots(periods=periods, as_of=day)

    assert stored() == before
    monkeypatch.setattr(snapshots, "insert_figures", write)
    take_snapshots(periods=periods, as_of=day)
    rerun = stored()
    Snapshot.objects.all().delete()
    take_snapshots(periods=periods, as_of=day)
    assert rerun == stored() != before


def test_the_number_of_queries_is_the_same_for_50_and_2000_clinics(catalogue):
    def clinics(count: int, start: int) -> None:
        for offset in range(0, count, 25):
            added = bulk_clinics(25, provider=make_provider(), start=start + offset)
            bulk_approved_reports(added[:10], catalogue, failing={added[0].pk})

    def job() -> int:
        with CaptureQueriesContext(connection) as queries:
            take_nightly_snapshots.delay()
        return len(queries)

    clinics(50, 0)
    few, small = job(), Snapshot.objects.count()
    clinics(1950, 50)
    many, large = job(), Snapshot.objects.count()

    assert few == many
    assert large > small


def test_days_that_have_not_ended_and_periods_not_holding_the_day_are_refused(region):
    today = timezone.localdate()
    with pytest.raises(PeriodError):
        take_snapshots(periods=[Period.parse("2025"), Period.parse("2024")])
    with pytest.raises(PeriodError):
        take_snapshots(periods=[Period.parse("2025")], as_of=yesterday())
    with pytest.raises(PeriodError):
        take_snapshots(as_of=today)
    with pytest.raises(PeriodError):
        take_snapshots(as_of=today + timedelta(days=1))
    assert not Snapshot.objects.exists()


# Three months of a region, snapshotted each night and backfilled afterwards.


class ThreeMonths:
    """September to November 2026 at four clinics of one provider:

    - Andersberg has every requirement met from 15 September;
    - Brunnsgatan reports in October, web booking not met, and from 20 October has an
      exemption ("request an appointment") until 10 November;
    - Centrum reports everything met on 3 November;
    - Dalen never reports.
    """

    def __init__(self, traveller):
        self.traveller = traveller
        provider = make_provider()
        self.andersberg, self.brunnsgatan, self.centrum, self.dalen = (
            make_clinic(name=name, provider=provider)
            for name in ("Andersberg", "Brunnsgatan", "Centrum", "Dalen")
        )
        self.reporter = make_user(Role.CLINIC_REPORTER, providers=[provider])
        self.reviewer = make_user(Role.REVIEWER)

    def on(self, day: date, hour: int = 12) -> None:
        self.traveller.move_to(datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM))

    def report(self, clinic: Clinic, **statuses: str) -> None:
        report = start_report(clinic=clinic, actor=self.reporter)
        answer_everything(report, self.reporter, statuses=statuses)
        submit_report(report=report, actor=self.reporter)
        approve_report(report=report, actor=self.reviewer)

    def exempt(self, clinic: Clinic, valid_from: date, valid_until: date) -> None:
        approved_web_booking_exemption(
            clinic,
            reporter=self.reporter,
            reviewer=self.reviewer,
            valid_from=valid_from,
            valid_until=valid_until,
        )

    def play(self, nightly) -> None:
        """The three months, day by day; ``nightly(day)`` runs each night at 02:45."""
        day = date(2026, 9, 1)
        while day <= date(2026, 12, 1):
            self.on(day, hour=2)
            nightly(day)
            self.on(day)
            if day == date(2026, 9, 15):
                self.report(self.andersberg)
            if day == date(2026, 10, 8):
                self.report(self.brunnsgatan, **{"webbtidbok.boka_direkt": AnswerStatus.NOT_MET})
            if day == date(2026, 10, 20):
                self.exempt(self.brunnsgatan, day, date(2026, 11, 10))
            if day == date(2026, 11, 3):
                self.report(self.centrum)
            day += timedelta(days=1)


def month_end_rows() -> dict[str, list[tuple]]:
    return {month: stored(month) for month in ("2026-09", "2026-10", "2026-11")}


def region_value(month: str, indicator: str) -> tuple[float, float | None]:
    row = Snapshot.objects.get(period=month, indicator=indicator, dimension=Dimension.REGION)
    return row.numerator, row.denominator


@pytest.mark.django_db
def test_month_end_snapshots_taken_each_night_are_those_backfilled_afterwards(catalogue):
    with time_machine.travel(datetime(2026, 9, 1, 2, tzinfo=STOCKHOLM), tick=False) as traveller:
        months = ThreeMonths(traveller)
        # The nightly job each night; only month ends are kept to compare.
        months.play(lambda day: take_nightly_snapshots.delay())
        live = month_end_rows()

        assert region_value("2026-09", "baseline") == (1, 4)
        assert region_value("2026-10", "baseline") == (2, 4)  # Brunnsgatan through exemption
        assert region_value("2026-10", "web_booking.direct") == (1, 4)
        assert region_value("2026-10", "exemptions.in_force") == (1, None)
        assert region_value("2026-10", "exemptions.ending_90_days") == (1, None)
        assert region_value("2026-11", "baseline") == (2, 4)  # exemption over, Centrum in
        assert region_value("2026-11", "exemptions.in_force") == (0, None)
        assert {row.as_of for row in Snapshot.objects.filter(period="2026-10")} == {
            date(2026, 10, 31)
        }

        Snapshot.objects.all().delete()
        for month_end in ("2026-09-30", "2026-10-31", "2026-11-30"):
            call_command("compute_indicators", "--as-of", month_end, stdout=io.StringIO())
        assert month_end_rows() == live

        Snapshot.objects.all().delete()
        call_command("compute_indicators", "--since", "2026-09", stdout=io.StringIO())
        assert month_end_rows() == live
        assert set(Snapshot.objects.values_list("period", flat=True)) == {
            "2026",
            "2026-Q3",
            "2026-Q4",
            "2026-09",
            "2026-10",
            "2026-11",
        }


def test_the_command_refuses_a_period_it_cannot_read(db):
    with pytest.raises(CommandError, match="2026-Q4"):
        call_command("compute_indicators", "--period", "2026-13")
    with pytest.raises(CommandError):
        call_command("compute_indicators", "--as-of", "1 december")
    with pytest.raises(CommandError):
        call_command("compute_indicators", "--since", "2026-01", "--period", "2026")


def test_if_empty_computes_only_the_first_time(region):
    call_command("compute_indicators", "--if-empty", stdout=io.StringIO())
    first = stored()
    Snapshot.objects.update(numerator=-1)

    call_command("compute_indicators", "--if-empty", stdout=io.StringIO())

    assert first
    assert set(Snapshot.objects.values_list("numerator", flat=True)) == {-1}


def test_the_nightly_job_finishes_a_period_it_left_short_of_its_last_day(region):
    day = yesterday()
    ended = Period.containing(Period.containing(day)[2].start - timedelta(days=1))[2]
    # A month whose last night the job missed: its snapshot stops two days short.
    take_snapshots(periods=[ended], as_of=ended.end - timedelta(days=2))

    take_nightly_snapshots.delay()

    assert set(Snapshot.objects.filter(period=ended.code).values_list("as_of", flat=True)) == {
        ended.end
    }


def test_a_backfill_from_a_period_without_a_complete_day_is_refused(db):
    next_year = timezone.localdate().year + 1

    with pytest.raises(CommandError, match=str(next_year)):
        call_command("compute_indicators", "--since", str(next_year), stdout=io.StringIO())
    assert not Snapshot.objects.exists()


def test_snapshots_of_an_indicator_no_longer_defined_still_read(region):
    take_snapshots(as_of=yesterday())
    Snapshot.objects.filter(indicator="baseline").update(indicator="retired.indicator")

    response = client_for(make_user(Role.VIEWER)).get(
        reverse("api:snapshot-list"), {"format": "csv"}
    )

    assert response.status_code == 200
    assert b"retired.indicator" in b"".join(response.streaming_content)
