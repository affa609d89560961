"""The forms of the pages on which a reporter acts for several clinics at once.

They parse and show; the services in ``clinics.services.bulk_reporting`` decide. The answer
itself is the report form's ``AnswerForm``, so that one answer reads, validates and shows
its errors exactly as it does in a clinic's report.
"""

from collections import defaultdict

from django import forms
from django.utils.translation import gettext_lazy as _

from clinics.forms.fields import clinic_kind_filter
from requirements.models import Area, CatalogueVersion, Requirement

# The name of the checkboxes that choose clinics, on both pages.
CLINICS_FIELD = "clinics"


def chosen_clinic_ids(data) -> list[int]:
    """The clinic ids posted; anything that is not an id is not a clinic."""
    return [int(value) for value in data.getlist(CLINICS_FIELD) if value.isdigit()]


class BulkAnswerChoiceForm(forms.Form):
    """Which requirement to answer and which clinics to list (a GET form)."""

    requirement = forms.ChoiceField(label=_("Requirement"), required=False)
    kind = clinic_kind_filter()

    def __init__(self, data, *, version: CatalogueVersion | None) -> None:
        super().__init__(data)
        self.version = version
        self.requirements: dict[str, Requirement] = {}
        choices: list = [("", _("Choose a requirement"))]
        if version is not None:
            areas = sorted(
                Area.objects.filter(version=version),
                key=lambda area: (not area.in_baseline, area.position),
            )
            by_area: dict[int, list[Requirement]] = defaultdict(list)
            for requirement in (
                Requirement.objects.filter(version=version)
                .select_related("area", "version")
                .order_by("position")
            ):
                by_area[requirement.area_id].append(requirement)
                self.requirements[requirement.code] = requirement
            choices += [
                (area.name, [(r.code, r.name) for r in by_area[area.pk]])
                for area in areas
                if by_area.get(area.pk)
            ]
        self.fields["requirement"].choices = choices

    @property
    def chosen_requirement(self) -> Requirement | None:
        if not self.is_valid():
            return None
        return self.requirements.get(self.cleaned_data["requirement"])

    @property
    def chosen_kind(self) -> str:
        return self.cleaned_data.get("kind", "") if self.is_valid() else ""
