"""The API keys page's input: a new key's name. The service decides what a name may be."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clinics.models.api_tokens import API_TOKEN_NAME_MAX


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        required=False,
        help_text=_("What will use the key, e.g. “Budgetsystemet”. Each key has its own name."),
        widget=forms.TextInput(attrs={"maxlength": API_TOKEN_NAME_MAX, "autocomplete": "off"}),
    )
