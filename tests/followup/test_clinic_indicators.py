"""A clinic's own indicators: its reporters define, change, retire and report them; the
region reads them on the clinic page, with a chart and its table, in a constant number
of queries. Every other role, and another clinic's reporter, is refused."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinics.clinic_page import clinic_page
from clinics.models import Role
from followup.clinic_indicator_trends import (
    clinic_indicator_trends,
    number_text,
    reaches_target,
)
from followup.clinic_indicators import (
    change_clinic_indicator,
    define_clinic_indicator,
    period_holding,
    periods_between,
    previous_period,
    report_clinic_indicator_value,
    reporting_period,
)
from followup.clinic_sections import clinic_indicators_section
from followup.models import ClinicIndicator, ClinicIndicatorValue
from followup.periods import Period
from followup.vocabulary import Direction, ReportingFrequency
from halland_utbud.errors import InvalidTransition, NotAllowed
from tests.factories import make_clinic, make_user

MONTHLY, QUARTERLY = ReportingFrequency.MONTHLY, ReportingFrequency.QUARTERLY


def today():
    return timezone.localdate()


def last_month() -> Period:
    return previous_period(MONTHLY, today())


def this_month() -> Period:
    return period_holding(MONTHLY, today())


def _define(actor, clinic, **fields) -> ClinicIndicator:
    values = {
        "name": "Återuppringda samma dag",
        "unit": "%",
        "direction": Direction.HIGHER,
        "frequency": MONTHLY,
        "target": 90.0,
        "description": "Andel av samtalen som ringdes upp samma dag, ur telefonisystemet.",
    }
    return define_clinic_indicator(actor=actor, clinic=clinic, **(values | fields))


@pytest.fixture
def indicator(clinic, reporter) -> ClinicIndicator:
    return _define(reporter, clinic)


def _report(actor, indicator, period=None, value=80.0, comment=""):
    return report_clinic_indicator_value(
        actor=actor,
        indicator=indicator,
        period=period or last_month().code,
        value=value,
        comment=comment,
    )


def _reasons(instance) -> list[tuple[str, str]]:
    return [
        (h.history_change_reason, h.history_user.username)
        for h in instance.history.order_by("history_date", "history_id")
    ]


# The periods


def test_a_monthly_indicator_is_reported_for_a_month_and_a_quarterly_for_a_quarter():
    day = today()

    assert reporting_period(MONTHLY, "2025-03", day) == Period.month(2025, 3)
    assert reporting_period(QUARTERLY, "2025-Q1", day) == Period.quarter(2025, 1)


@pytest.mark.parametrize(
    ("frequency", "code"),
    [(MONTHLY, "2025-Q1"), (MONTHLY, "2025"), (QUARTERLY, "2025-03"), (MONTHLY, "mars")],
)
def test_a_period_of_the_wrong_kind_or_no_period_is_a_field_error(frequency, code):
    with pytest.raises(ValidationError) as refused:
        reporting_period(frequency, code, today())

    assert list(refused.value.message_dict) == ["period"]


def test_a_period_that_has_not_begun_is_refused_but_the_running_one_may_be_reported():
    running = this_month()
    following = period_holding(MONTHLY, running.end + timedelta(days=1))

    assert reporting_period(MONTHLY, running.code, today()) == running
    with pytest.raises(ValidationError) as refused:
        reporting_period(MONTHLY, following.code, today())
    assert following.code in refused.value.message_dict["period"][0]


def test_the_error_is_in_the_users_language():
    # Swedish is the default: the period parser's message comes from the catalogue.
    with pytest.raises(ValidationError) as refused:
        reporting_period(MONTHLY, "mars", today())

    assert "mars" in refused.value.message_dict["period"][0]


def test_the_periods_between_two_are_every_month_or_quarter_in_order():
    months = periods_between(MONTHLY, Period.month(2025, 11), Period.month(2026, 2))
    quarters = periods_between(QUARTERLY, Period.quarter(2025, 4), Period.quarter(2026, 2))

    assert [p.code for p in months] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert [p.code for p in quarters] == ["2025-Q4", "2026-Q1", "2026-Q2"]


def test_the_previous_period_is_the_last_whole_one():
    assert previous_period(MONTHLY, Period.month(2026, 1).start) == Period.month(2025, 12)
    assert previous_period(QUARTERLY, Period.month(2026, 5).start) == Period.quarter(2026, 1)


def test_a_target_is_reached_as_the_direction_reads_it(clinic, reporter):
    higher = ClinicIndicator(direction=Direction.HIGHER, target=90)
    lower = ClinicIndicator(direction=Direction.LOWER, target=5)

    assert (reaches_target(higher, 90), reaches_target(higher, 89.9)) == (True, False)
    assert (reaches_target(lower, 5), reaches_target(lower, 6)) == (True, False)
    assert reaches_target(ClinicIndicator(target=None), 3) is None


def test_numbers_are_written_as_a_person_writes_them():
    assert (number_text(12.0), number_text(12.5), number_text(1234.567)) == (
        "12",
        "12,5",
        "1\xa0234,57",
    )


# Defining


def test_a_clinic_reporter_defines_an_indicator_and_the_history_says_who_and_what(
    clinic, reporter
):
    indicator = _define(reporter, clinic)

    assert (indicator.clinic, indicator.created_by, indicator.active) == (clinic, reporter, True)
    assert _reasons(indicator) == [("define", reporter.username)]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "  "}, "name"),
        ({"unit": ""}, "unit"),
        ({"direction": "sideways"}, "direction"),
        ({"frequency": "year"}, "frequency"),
        ({"target": float("inf")}, "target"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_a_bad_definition_is_refused_with_the_field_that_is_wrong(clinic, reporter, fields, field):
    with pytest.raises(ValidationError) as refused:
        _define(reporter, clinic, **fields)

    assert field in refused.value.message_dict
    assert not ClinicIndicator.objects.exists()


def test_a_clinic_has_one_indicator_of_a_name_whatever_its_case(clinic, reporter):
    _define(reporter, clinic, name="Väntetid")

    with pytest.raises(ValidationError) as refused:
        _define(reporter, clinic, name="väntetid ")

    assert "name" in refused.value.message_dict
    # Another clinic may use the name.
    other = make_clinic()
    _define(make_user(Role.CLINIC_REPORTER, clinics=[other]), other, name="Väntetid")
    assert ClinicIndicator.objects.count() == 2


def test_the_target_is_optional(clinic, reporter):
    assert _define(reporter, clinic, target=None).target is None


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER])
def test_no_regional_role_defines_a_clinics_indicator(clinic, role):
    with pytest.raises(NotAllowed):
        _define(make_user(role), clinic)
    assert not ClinicIndicator.objects.exists()


def test_another_clinics_reporter_defines_nothing_for_it(clinic, other_clinic):
    with pytest.raises(NotAllowed):
        _define(make_user(Role.CLINIC_REPORTER, clinics=[other_clinic]), clinic)
    assert not ClinicIndicator.objects.exists()


# Changing and retiring


def test_a_reporter_changes_the_definition(indicator, reporter):
    change_clinic_indicator(actor=reporter, indicator=indicator, name="Återuppringda", target=None)

    indicator.refresh_from_db()
    assert (indicator.name, indicator.target) == ("Återuppringda", None)
    assert [reason for reason, _user in _reasons(indicator)] == ["define", "change"]


def test_retiring_keeps_the_values_and_resuming_brings_the_indicator_back(indicator, reporter):
    _report(reporter, indicator)

    change_clinic_indicator(actor=reporter, indicator=indicator, active=False)
    indicator.refresh_from_db()
    assert not indicator.active
    assert indicator.values.count() == 1
    with pytest.raises(InvalidTransition):
        _report(reporter, indicator, value=85.0)

    change_clinic_indicator(actor=reporter, indicator=indicator, active=True)
    assert [reason for reason, _user in _reasons(indicator)] == ["define", "retire", "resume"]


def test_how_often_an_indicator_is_reported_changes_only_while_it_has_no_values(
    indicator, reporter
):
    change_clinic_indicator(actor=reporter, indicator=indicator, frequency=QUARTERLY)
    change_clinic_indicator(actor=reporter, indicator=indicator, frequency=MONTHLY)
    _report(reporter, indicator)

    with pytest.raises(ValidationError) as refused:
        change_clinic_indicator(actor=reporter, indicator=indicator, frequency=QUARTERLY)

    assert "frequency" in refused.value.message_dict
    indicator.refresh_from_db()
    assert indicator.frequency == MONTHLY


def test_the_definition_cannot_take_a_name_the_clinic_already_uses(clinic, indicator, reporter):
    other = _define(reporter, clinic, name="Väntetid")

    with pytest.raises(ValidationError) as refused:
        change_clinic_indicator(actor=reporter, indicator=other, name=indicator.name)

    assert "name" in refused.value.message_dict


def test_only_the_editable_fields_change(indicator, reporter):
    with pytest.raises(TypeError):
        change_clinic_indicator(actor=reporter, indicator=indicator, clinic=make_clinic())


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER])
def test_no_regional_role_changes_or_retires_a_clinics_indicator(indicator, role):
    with pytest.raises(NotAllowed):
        change_clinic_indicator(actor=make_user(role), indicator=indicator, active=False)
    indicator.refresh_from_db()
    assert indicator.active


def test_another_clinics_reporter_changes_nothing(indicator, other_clinic):
    outsider = make_user(Role.CLINIC_REPORTER, clinics=[other_clinic])

    with pytest.raises(NotAllowed):
        change_clinic_indicator(actor=outsider, indicator=indicator, name="Annat")


# Reporting


def test_a_reporter_reports_a_months_value(indicator, reporter):
    value = _report(reporter, indicator, value=82.5, comment="  Sjukfrånvaro i teamet. ")

    assert (value.period, value.period_start) == (last_month().code, last_month().start)
    assert (value.value, value.comment, value.reported_by) == (
        82.5,
        "Sjukfrånvaro i teamet.",
        reporter,
    )
    assert _reasons(value) == [("report", reporter.username)]


def test_reporting_a_period_again_corrects_its_value_and_the_history_keeps_the_old_one(
    indicator, reporter
):
    first = _report(reporter, indicator, value=80.0)
    second = _report(reporter, indicator, value=81.0)

    assert first.pk == second.pk
    assert ClinicIndicatorValue.objects.get().value == 81.0
    assert [h.value for h in second.history.order_by("history_date", "history_id")] == [
        80.0,
        81.0,
    ]
    assert [reason for reason, _user in _reasons(second)] == ["report", "correct"]


def test_a_quarterly_indicator_takes_a_quarter_and_refuses_a_month(clinic, reporter):
    indicator = _define(reporter, clinic, name="Tandhälsa", frequency=QUARTERLY)
    quarter = previous_period(QUARTERLY, today())

    assert _report(reporter, indicator, period=quarter.code).period_start == quarter.start
    with pytest.raises(ValidationError) as refused:
        _report(reporter, indicator, period=last_month().code)
    assert "period" in refused.value.message_dict


def test_a_future_period_is_refused(indicator, reporter):
    following = period_holding(MONTHLY, this_month().end + timedelta(days=1))

    with pytest.raises(ValidationError) as refused:
        _report(reporter, indicator, period=following.code)

    assert "period" in refused.value.message_dict
    assert not ClinicIndicatorValue.objects.exists()


def test_a_value_must_be_a_number(indicator, reporter):
    with pytest.raises(ValidationError) as refused:
        _report(reporter, indicator, value=float("nan"))

    assert "value" in refused.value.message_dict


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER])
def test_no_regional_role_reports_a_clinics_value(indicator, role):
    with pytest.raises(NotAllowed):
        _report(make_user(role), indicator)
    assert not ClinicIndicatorValue.objects.exists()


def test_another_clinics_reporter_reports_nothing(indicator, other_clinic):
    with pytest.raises(NotAllowed):
        _report(make_user(Role.CLINIC_REPORTER, clinics=[other_clinic]), indicator)
    assert not ClinicIndicatorValue.objects.exists()


def test_a_providers_coordinator_keeps_the_indicators_of_its_clinics(clinic):
    coordinator = make_user(Role.CLINIC_REPORTER, providers=[clinic.provider])

    indicator = _define(coordinator, clinic)

    assert _report(coordinator, indicator).reported_by == coordinator


# The pages


def create_url(clinic) -> str:
    return reverse("clinic_indicator_create", args=[clinic.pk])


def detail_url(indicator) -> str:
    return reverse("clinic_indicator_detail", args=[indicator.clinic_id, indicator.pk])


def report_url(indicator) -> str:
    return reverse("clinic_indicator_report", args=[indicator.clinic_id, indicator.pk])


def _definition_form(**fields) -> dict:
    return {
        "name": "Återbesök inom 30 dagar",
        "description": "",
        "unit": "besök",
        "direction": "lower",
        "frequency": "quarter",
        "target": "12,5",
    } | fields


def test_a_reporter_defines_an_indicator_on_its_page(client, clinic, reporter):
    client.force_login(reporter)
    assert client.get(create_url(clinic)).status_code == 200

    response = client.post(create_url(clinic), _definition_form())

    indicator = ClinicIndicator.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(indicator)
    assert (indicator.unit, indicator.direction, indicator.frequency, indicator.target) == (
        "besök",
        "lower",
        "quarter",
        12.5,
    )


def test_a_bad_definition_shows_the_errors_next_to_the_fields(client, clinic, reporter):
    _define(reporter, clinic, name="Väntetid")
    client.force_login(reporter)

    # The form parses (a unit is required), the service decides (the name is taken).
    unparsed = client.post(create_url(clinic), _definition_form(unit=""))
    refused = client.post(create_url(clinic), _definition_form(name="Väntetid"))

    assert (unparsed.status_code, refused.status_code) == (400, 400)
    assert 'id="id_unit_error"' in unparsed.content.decode()
    html = refused.content.decode()
    assert 'id="id_name_error"' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert ClinicIndicator.objects.count() == 1


def test_a_reporter_reports_a_value_on_the_indicators_page(client, indicator, reporter):
    client.force_login(reporter)
    page = client.get(detail_url(indicator))
    assert page.status_code == 200
    assert f'value="{last_month().code}"' in page.content.decode()

    response = client.post(
        report_url(indicator), {"period": last_month().code, "value": "87,5", "comment": ""}
    )

    assert response.status_code == 302
    assert indicator.values.get().value == 87.5
    assert "87,5 %" in client.get(detail_url(indicator)).content.decode()


def test_a_bad_period_is_shown_on_the_period_field(client, indicator, reporter):
    client.force_login(reporter)

    response = client.post(report_url(indicator), {"period": "2025-Q1", "value": "3"})

    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_period_error"' in html
    assert 'aria-describedby="id_period_helptext id_period_error"' in html
    assert not ClinicIndicatorValue.objects.exists()


def test_a_reporter_changes_and_retires_an_indicator_on_its_page(client, indicator, reporter):
    client.force_login(reporter)
    form = _definition_form(frequency="month", name="Återuppringda", active="on")

    assert client.post(detail_url(indicator), form).status_code == 302
    indicator.refresh_from_db()
    assert (indicator.name, indicator.active) == ("Återuppringda", True)

    form.pop("active")
    assert client.post(detail_url(indicator), form).status_code == 302
    indicator.refresh_from_db()
    assert not indicator.active
    # A retired indicator takes no values, and its page says so instead of the form.
    html = client.get(detail_url(indicator)).content.decode()
    assert report_url(indicator) not in html
    response = client.post(report_url(indicator), {"period": last_month().code, "value": "1"})
    assert response.status_code == 400
    assert not ClinicIndicatorValue.objects.exists()


def test_reporting_is_post_only(client, indicator, reporter):
    client.force_login(reporter)

    assert client.get(report_url(indicator)).status_code == 405


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER])
def test_regional_staff_are_refused_the_pages_that_keep_the_indicators(client, indicator, role):
    client.force_login(make_user(role))

    assert client.get(create_url(indicator.clinic)).status_code == 403
    assert client.post(create_url(indicator.clinic), _definition_form()).status_code == 403
    assert client.get(detail_url(indicator)).status_code == 403
    assert client.post(detail_url(indicator), _definition_form()).status_code == 403
    response = client.post(report_url(indicator), {"period": last_month().code, "value": "1"})
    assert response.status_code == 403
    assert ClinicIndicator.objects.count() == 1
    assert not ClinicIndicatorValue.objects.exists()


def test_another_clinics_reporter_finds_no_such_pages(client, indicator, other_clinic):
    client.force_login(make_user(Role.CLINIC_REPORTER, clinics=[other_clinic]))

    assert client.get(create_url(indicator.clinic)).status_code == 404
    assert client.post(create_url(indicator.clinic), _definition_form()).status_code == 404
    assert client.get(detail_url(indicator)).status_code == 404
    assert client.post(detail_url(indicator), _definition_form()).status_code == 404
    response = client.post(report_url(indicator), {"period": last_month().code, "value": "1"})
    assert response.status_code == 404
    assert not ClinicIndicatorValue.objects.exists()


def test_an_indicator_is_found_only_under_its_own_clinic(client, indicator):
    # The reporter of both clinics opens the indicator under the wrong one.
    other = make_clinic()
    both = make_user(Role.CLINIC_REPORTER, clinics=[indicator.clinic, other])
    client.force_login(both)

    url = reverse("clinic_indicator_detail", args=[other.pk, indicator.pk])

    assert client.get(url).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, indicator):
    for url in (create_url(indicator.clinic), detail_url(indicator)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


# The clinic page


def _values(indicator, reporter, count: int) -> None:
    period = last_month()
    for _n in range(count):
        _report(reporter, indicator, period=period.code, value=70.0 + _n)
        period = previous_period(MONTHLY, period.start)


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER])
def test_regional_staff_see_the_indicators_with_a_chart_and_its_table(
    client, indicator, reporter, role
):
    _values(indicator, reporter, 3)
    client.force_login(make_user(role))

    html = client.get(reverse("clinic_detail", args=[indicator.clinic_id])).content.decode()

    assert "Återuppringda samma dag" in html
    chart = html.index('<figure class="chart"><svg')
    table = html.index("<table", chart)
    assert chart < table
    assert "72 %" in html[table:]  # the latest value, in the table after the chart
    # Only the clinic's reporters get the links that keep the indicators.
    assert create_url(indicator.clinic) not in html
    assert detail_url(indicator) not in html


def test_the_clinics_reporter_sees_the_links_to_keep_them(client, indicator, reporter):
    client.force_login(reporter)

    html = client.get(reverse("clinic_detail", args=[indicator.clinic_id])).content.decode()

    assert create_url(indicator.clinic) in html
    assert detail_url(indicator) in html


def test_the_trend_shows_a_period_not_yet_reported_and_the_latest_against_the_target(
    indicator, reporter
):
    older = previous_period(MONTHLY, last_month().start)
    _report(reporter, indicator, period=older.code, value=91.0)

    (trend,) = clinic_indicator_trends(indicator.clinic)

    assert [(row.period, row.text) for row in trend.rows] == [
        (older, "91 %"),
        (last_month(), ""),
    ]
    assert trend.reaches_target is True
    assert trend.chart is not None


def test_an_indicator_without_values_has_no_chart(indicator):
    (trend,) = clinic_indicator_trends(indicator.clinic)

    assert (trend.rows, trend.chart, trend.latest) == ((), None, None)


def _section_queries(clinic, user) -> int:
    page = clinic_page(clinic)
    with CaptureQueriesContext(connection) as queries:
        section = clinic_indicators_section(page, user)
    assert section is not None
    return len(queries)


def test_the_section_reads_in_the_same_number_of_queries_for_1_and_10_indicators(
    clinic, reporter, viewer
):
    first = _define(reporter, clinic, name="Indikator 0")
    _values(first, reporter, 3)
    one = (_section_queries(clinic, viewer), _section_queries(clinic, reporter))

    for n in range(1, 10):
        _values(_define(reporter, clinic, name=f"Indikator {n}"), reporter, 3)
    ten = (_section_queries(clinic, viewer), _section_queries(clinic, reporter))

    assert one == ten
    assert one[0] <= 2


def test_the_clinic_page_costs_the_same_for_1_and_10_indicators(
    client, catalogue, clinic, reporter, viewer
):
    client.force_login(viewer)
    url = reverse("clinic_detail", args=[clinic.pk])
    _values(_define(reporter, clinic, name="Indikator 0"), reporter, 2)
    client.get(url)  # sessions, caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200

    for n in range(1, 10):
        _values(_define(reporter, clinic, name=f"Indikator {n}"), reporter, 2)
    with CaptureQueriesContext(connection) as ten:
        assert client.get(url).status_code == 200

    assert len(one) == len(ten)


def test_values_older_than_the_window_leave_no_chart_but_the_latest_is_still_shown(
    indicator, reporter
):
    long_ago = Period.month(today().year - 4, 1)
    ClinicIndicatorValue.objects.create(
        indicator=indicator,
        period=long_ago.code,
        period_start=long_ago.start,
        value=50.0,
        reported_by=reporter,
        reported_at=timezone.now(),
    )

    (trend,) = clinic_indicator_trends(indicator.clinic)

    assert len(trend.rows) == 24
    assert trend.chart is None
    assert trend.latest_text == "50 %"
