"""A date that never breaks across lines: "2026-12-01" wraps at its hyphens otherwise, in
narrow table cells above all."""

from datetime import date, datetime

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import formats, timezone
from django.utils.html import format_html

register = template.Library()


@register.filter
def day(value, arg: str = "SHORT_DATE_FORMAT"):
    """``value`` formatted as the ``date`` filter would, kept on one line."""
    if value in (None, ""):
        return ""
    return format_html('<span class="date">{}</span>', date_filter(value, arg))


def short_day(value: date | datetime) -> str:
    """The day as text, for code outside a template: a moment's day is the region's, as
    the template's ``date`` filter gives it (a report approved at 00:30 in Sweden was
    approved that day, not the day before as in UTC)."""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return formats.date_format(value, "SHORT_DATE_FORMAT")
