"""Forms the follow-up's pages share."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from clinics.forms.fields import apply_service_errors
from clinics.services.clinics_csv import FileTooLarge, check_file_size
from followup.models import ClinicIndicator
from followup.vocabulary import Direction, ReportingFrequency
from halland_utbud.limits import LONG_TEXT_MAX, NAME_MAX, SHORT_TEXT_MAX


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


# A clinic's own indicators: the forms parse, ``followup.clinic_indicators`` decides.


def show_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the form's fields; an error of a field the
    form does not show goes above the form."""
    apply_service_errors(
        form, error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    )


class ClinicIndicatorForm(forms.Form):
    """An indicator's definition, as its clinic's reporter writes it."""

    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX,
        help_text=_("For example “Patients called back the same day”."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What is counted, and where it comes from."),
    )
    unit = forms.CharField(
        label=_("Unit"),
        max_length=40,
        help_text=_("What a value is counted in, e.g. percent or visits."),
    )
    direction = forms.ChoiceField(
        label=_("Which way is better"),
        choices=Direction.choices,
        initial=Direction.HIGHER,
        widget=forms.RadioSelect,
    )
    frequency = forms.ChoiceField(
        label=_("Reported"),
        choices=ReportingFrequency.choices,
        initial=ReportingFrequency.MONTHLY,
        widget=forms.RadioSelect,
    )
    # Localised: a comma is the decimal separator in Swedish (a point is read too).
    target = forms.FloatField(
        label=_("Target"),
        required=False,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("The value the clinic aims for, in the unit above; empty for none."),
    )

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


class ClinicIndicatorChangeForm(ClinicIndicatorForm):
    """The definition of an indicator that exists, and whether it is still followed up."""

    active = forms.BooleanField(
        label=_("Still followed up"),
        required=False,
        help_text=_(
            "Untick to retire the indicator: its values are kept, and no new ones are "
            "reported. Tick again to resume it."
        ),
    )

    @classmethod
    def for_indicator(cls, indicator: ClinicIndicator, data=None) -> "ClinicIndicatorChangeForm":
        return cls(data, initial={name: getattr(indicator, name) for name in cls.base_fields})


class ClinicIndicatorValueForm(forms.Form):
    """One period's value of an indicator."""

    period = forms.CharField(label=_("Period"), max_length=7)
    value = forms.FloatField(
        label=_("Value"), localize=True, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=SHORT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Anything a reader needs to know about the value."),
    )

    def __init__(self, *args, indicator: ClinicIndicator, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if indicator.frequency == ReportingFrequency.QUARTERLY:
            help_text = _("A quarter, e.g. 2026-Q4. Reporting a quarter again corrects it.")
        else:
            help_text = _("A month, e.g. 2026-11. Reporting a month again corrects it.")
        self.fields["period"].help_text = help_text
        self.fields["value"].help_text = _("In %(unit)s.") % {"unit": indicator.unit}


class UsageUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Usage file (CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Semicolon-separated, UTF-8, with the columns hsa_id;month;measure;value, the "
            "month as YYYY-MM. At most %(limit)s."
        ) % {"limit": filesizeformat(settings.IMPORT_MAX_BYTES)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_file_size(upload.size)  # before a byte of it is read
        except FileTooLarge as error:
            raise ValidationError(error.message) from None
        return upload
