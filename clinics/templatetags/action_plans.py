"""An action plan's state, and its lateness, as an icon and words, never colour alone."""

from django import template
from django.utils.translation import gettext as _

from clinics.models import ActionPlanState
from clinics.templatetags.status import badge

register = template.Library()

_PLAN = {
    ActionPlanState.DRAFT: ("draft", "✎"),
    ActionPlanState.SUBMITTED: ("pending", "➜"),
    ActionPlanState.RETURNED: ("partial", "↩"),
    ActionPlanState.ACCEPTED: ("ok", "✓"),
    ActionPlanState.DONE: ("ok", "■"),
}


@register.simple_tag
def plan_badge(state: str):
    state = ActionPlanState(state)
    return badge(*_PLAN[state], state.label)


@register.simple_tag
def overdue_badge():
    """The flag of a plan (or row) whose date has passed."""
    return badge("fail", "⚠", _("Date passed"))
