"""Form fields that several pages' filter forms share, so they read and label alike, and
the one way every form shows what a service refused."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clinics.models import Provider
from requirements.vocabulary import ClinicKind, Municipality

# How a day is written in every query string: the clinic page, the overview, the API.
DATE_FORMAT = "%Y-%m-%d"


def on_date_field(**options) -> forms.DateField:
    """The day to show compliance on; empty for today."""
    options.setdefault("required", False)
    return forms.DateField(
        input_formats=[DATE_FORMAT],
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT),
        **options,
    )


def with_blank(choices, blank_label) -> list[tuple[str, str]]:
    """Choices with a first, empty option meaning "no filter"."""
    return [("", blank_label), *choices]


def municipality_filter() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Municipality"),
        required=False,
        choices=with_blank(Municipality.by_name(), _("All municipalities")),
    )


def clinic_kind_filter() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Type of clinic"),
        required=False,
        choices=with_blank(ClinicKind.choices, _("All types")),
    )


def provider_filter() -> forms.ModelChoiceField:
    """The form sets the queryset to the providers the user may see."""
    return forms.ModelChoiceField(
        label=_("Care provider"),
        required=False,
        queryset=Provider.objects.none(),
        empty_label=_("All care providers"),
    )


def apply_service_errors(
    form: forms.Form, errors: dict, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's field errors (``ApplicationError.extra["errors"]``) next to the
    form's fields (``aliases`` maps a service field to the form field showing it); one
    without a field goes above the form. The forms parse; the services decide."""
    aliases = aliases or {}
    for name, messages in errors.items():
        field = aliases.get(name, name)
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            form.add_error(field if field in form.fields else None, str(message))
