"""Forms the follow-up's pages share."""

from django import forms
from django.utils.translation import gettext_lazy as _


class RecomputeForm(forms.Form):
    period = forms.CharField(
        label=_("Period to compute"),
        required=False,
        max_length=7,
        help_text=_(
            "A year (2026), quarter (2026-Q4) or month (2026-11); empty for yesterday's "
            "year, quarter and month, as the nightly job computes them."
        ),
    )
