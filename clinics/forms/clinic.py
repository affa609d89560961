"""The clinic page's one input: the day to show the clinic's status on."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinics.forms.fields import on_date_field


class OnDateForm(forms.Form):
    on_date = on_date_field(
        label=_("Status on date"),
        help_text=_("The clinic's status as it was on that day; empty for today."),
    )

    def day(self) -> date:
        """The day asked for; today when none was, or when it was not a date (the form
        then shows the error)."""
        if self.is_valid() and self.cleaned_data["on_date"]:
            return self.cleaned_data["on_date"]
        return timezone.localdate()
