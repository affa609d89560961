"""Figures as the follow-up shows them: a share as a percentage with one decimal in the
active language's format, a count as a whole number, and nothing as a dash with words
for screen readers."""

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _

from clinics.templatetags.status import badge
from followup.formatting import formatted

register = template.Library()


@register.simple_tag
def figure(value: float | None, unit: str) -> str:
    if value is None:
        return format_html(
            '<span aria-hidden="true">–</span><span class="visually-hidden">{}</span>',
            _("no figure"),
        )
    return formatted(value, unit)


@register.simple_tag
def out_of(snapshot) -> str:
    """ "12 of 40" for a share; empty for a count."""
    if snapshot.denominator is None:
        return ""
    return _("%(numerator)s of %(denominator)s") % {
        "numerator": formats.number_format(
            snapshot.numerator, 0 if snapshot.numerator.is_integer() else 1, force_grouping=True
        ),
        "denominator": formats.number_format(snapshot.denominator, 0, force_grouping=True),
    }


@register.simple_tag
def track_badge(progress) -> str:
    """On or off track for the year's target, in words and an icon, never colour alone."""
    if progress is None or progress.on_track is None:
        return badge("missing", "?", _("No figure yet"))
    if progress.on_track:
        return badge("ok", "✓", _("On track"))
    return badge("fail", "✗", _("Off track"))


@register.simple_tag
def usage_check(line) -> str:
    """Whether the usage bears out the clinic's answer, in words and an icon."""
    if line.usage.latest is None:
        return badge("missing", "?", _("No figures"))
    if line.mismatch:
        return badge("fail", "!", _("Answered met, not used"))
    if line.claims_service:
        return badge("ok", "✓", _("Used"))
    return badge("na", "–", _("Not offered by the answer"))
