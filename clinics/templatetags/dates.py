"""A date that never breaks across lines: "2026-12-01" wraps at its hyphens otherwise, in
narrow table cells above all."""

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.html import format_html

register = template.Library()


@register.filter
def day(value, arg: str = "SHORT_DATE_FORMAT"):
    """``value`` formatted as the ``date`` filter would, kept on one line."""
    if value in (None, ""):
        return ""
    return format_html('<span class="date">{}</span>', date_filter(value, arg))
