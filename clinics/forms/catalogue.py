"""The catalogue revision's preview: the file to upload, and the day to judge on."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clinics.forms.fields import on_date_field


class CatalogueUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Catalogue file (YAML)"),
        help_text=_(
            "A revision of the requirement catalogue, in the format of "
            "requirements/catalogue/rs220477.yaml. Nothing is imported until you confirm."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml"}),
    )


class PreviewDayForm(forms.Form):
    on = on_date_field(
        label=_("Judge the clinics on"),
        help_text=_("Empty for the day the revision takes effect."),
    )
