"""The reporting round pages' input: opening a round, filtering its clinics, reminding
the late ones, closing it."""

import uuid

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from clinics.forms.fields import (
    clinic_kind_filter,
    municipality_filter,
    provider_filter,
    with_blank,
)
from clinics.models import Clinic, Provider
from clinics.services.rounds import ProgressStatus
from halland_utbud.limits import NAME_MAX
from requirements.vocabulary import ContractForm

ALL_ACTIVE = "all"
FILTERED = "filter"
# The filters a round may be opened with, in the order they are shown, and the register
# fields they filter (with the names and meaning of the clinic list API's parameters).
FILTER_FIELDS = ["municipality", "kind", "provider", "contract_form"]
_LOOKUPS = {
    "municipality": "municipality_code",
    "kind": "kind",
    "provider": "provider_id",
    "contract_form": "contract_form",
}


class RoundForm(forms.Form):
    """Name, deadline and the clinics a new round covers: every active clinic, or those a
    filter chooses. The filter has the meaning of the API's clinic list parameters.

    Django marks a field with errors ``aria-invalid`` and points ``aria-describedby`` at
    ``<id>_helptext`` and ``<id>_error``; the templates give those ids to the help and the
    error. A radio group is a fieldset, which the template describes itself."""

    name = forms.CharField(
        label=_("Name of the round"),
        max_length=NAME_MAX,
        help_text=_("For example “Uppföljning 2026”."),
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        help_text=_("The last day for the clinics to submit their reports."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    scope = forms.ChoiceField(
        label=_("Clinics in the round"),
        choices=[
            (ALL_ACTIVE, _("All active clinics")),
            (FILTERED, _("The active clinics that match the filters below")),
        ],
        initial=ALL_ACTIVE,
        widget=forms.RadioSelect,
    )
    # Service field names -> the field of this form that shows their errors.
    SERVICE_FIELDS = {"selection": "scope"}

    municipality = municipality_filter()
    kind = clinic_kind_filter()
    provider = provider_filter()
    contract_form = forms.ChoiceField(
        label=_("Contract form"),
        required=False,
        choices=with_blank(ContractForm.choices, _("All contract forms")),
    )

    def __init__(self, *args, providers: QuerySet[Provider], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers

    def filter_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in FILTER_FIELDS]

    def clean(self) -> dict:
        data = super().clean()
        chosen = [name for name in FILTER_FIELDS if data.get(name)]
        if data.get("scope") == FILTERED and not chosen:
            self.add_error("scope", _("Choose at least one filter, or all active clinics."))
        elif data.get("scope") == ALL_ACTIVE and chosen:
            # Opening a round for every clinic by mistake cannot be undone: ask.
            self.add_error(
                "scope",
                _("You chose filters: choose the clinics that match them, or clear the filters."),
            )
        return data

    def selection(self) -> dict[str, str]:
        """What chose the clinics, as the API's parameters (kept with the round)."""
        data = self.cleaned_data
        if data["scope"] == ALL_ACTIVE:
            return {"scope": ALL_ACTIVE}
        selection = {"scope": FILTERED}
        for name in FILTER_FIELDS:
            value = data.get(name)
            if value:
                selection[name] = str(value.pk if isinstance(value, Provider) else value)
        return selection

    def clinics(self) -> QuerySet[Clinic]:
        """The clinics the selection chooses in the register as it is today, as the
        clinic list API lists them for the same parameters."""
        selection = self.selection()
        return Clinic.objects.filter(
            **{_LOOKUPS[name]: selection[name] for name in FILTER_FIELDS if name in selection}
        )


def describe_selection(selection: dict) -> list[str]:
    """Which clinics a round was opened for, in words: "Municipality: Halmstad", ..."""
    fields = RoundForm.base_fields
    if selection.get("scope") == ALL_ACTIVE or not any(selection.get(n) for n in FILTER_FIELDS):
        # No filter chooses every clinic, as in the API; also for rounds opened in code.
        return [str(_("All active clinics"))]
    described = []
    for name in FILTER_FIELDS:
        value = selection.get(name)
        if not value:
            continue
        if name == "provider":
            provider = Provider.objects.filter(pk=value).first()
            shown = provider.name if provider else value
        else:
            shown = dict(fields[name].choices).get(value, value)
        described.append(f"{fields[name].label}: {shown}")
    return described


class StatusFilterForm(forms.Form):
    """GET filter of a round's clinics by where they stand."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=with_blank(ProgressStatus.choices, _("All statuses")),
    )

    def chosen(self) -> str:
        return self.cleaned_data.get("status", "") if self.is_valid() else ""


class CloseRoundForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I understand that every report of the round that is not approved will be "
            "frozen as it stands and can no longer be changed."
        ),
    )


class RemindForm(forms.Form):
    """The reminder button. ``press`` is new each time the page is drawn, so that each
    press is one reminder, and a request sent twice is still that one."""

    press = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {"press": uuid.uuid4()})
        super().__init__(*args, **kwargs)
