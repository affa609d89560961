from datetime import date

import pytest

from followup.periods import Period, PeriodError, PeriodKind, periods_since


@pytest.mark.parametrize(
    ("code", "start", "end", "kind"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31), PeriodKind.YEAR),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), PeriodKind.QUARTER),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), PeriodKind.QUARTER),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29), PeriodKind.MONTH),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31), PeriodKind.MONTH),
    ],
)
def test_a_period_is_read_from_its_code_and_written_back_the_same(code, start, end, kind):
    period = Period.parse(code)

    assert (period.start, period.end, period.kind) == (start, end, kind)
    assert period.code == code


@pytest.mark.parametrize("code", ["", "26", "2026-13", "2026-Q5", "2026-q4", "2026-1", "x"])
def test_anything_else_is_refused_with_the_forms_it_may_take(code):
    with pytest.raises(PeriodError, match="2026-Q4"):
        Period.parse(code)


def test_a_running_period_is_read_as_of_yesterday_and_an_ended_one_as_of_its_last_day():
    november = Period.parse("2026-11")

    assert november.as_of(date(2026, 11, 20)) == date(2026, 11, 19)
    assert november.as_of(date(2026, 12, 1)) == date(2026, 11, 30)
    assert november.as_of(date(2027, 5, 1)) == date(2026, 11, 30)


def test_a_period_without_a_complete_day_has_no_figures():
    with pytest.raises(PeriodError):
        Period.parse("2027").as_of(date(2026, 12, 1))
    with pytest.raises(PeriodError):
        Period.parse("2026-12").as_of(date(2026, 12, 1))


def test_a_day_lies_in_one_year_one_quarter_and_one_month():
    assert [p.code for p in Period.containing(date(2026, 8, 15))] == ["2026", "2026-Q3", "2026-08"]


def test_a_backfill_covers_every_month_and_the_quarters_and_years_they_make_up():
    codes = [p.code for p in periods_since(Period.parse("2026-11"), date(2027, 1, 5))]

    assert codes == ["2026", "2026-Q4", "2026-11", "2026-12", "2027", "2027-Q1", "2027-01"]
