"""Dates in tables stay on one line: the ``day`` filter marks them so."""

from datetime import date, datetime

from django.template import Context, Template
from django.utils import translation


def render(source: str, **context) -> str:
    return Template("{% load dates %}" + source).render(Context(context))


def test_a_date_is_kept_on_one_line_in_the_short_format():
    with translation.override("sv"):
        assert render("{{ d|day }}", d=date(2026, 12, 1)) == '<span class="date">2026-12-01</span>'


def test_a_format_may_be_given_as_to_the_date_filter():
    moment = datetime(2026, 12, 1, 14, 30)
    assert render('{{ d|day:"Y-m-d H:i" }}', d=moment) == (
        '<span class="date">2026-12-01 14:30</span>'
    )


def test_no_date_renders_nothing():
    assert render("{{ d|day }}", d=None) == ""
