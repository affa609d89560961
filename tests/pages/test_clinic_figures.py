"""The clinic page's figures read label first, then value: "Uppfyller hela grundutbudet",
then "✗ Ej uppfyllt", never the other way round."""

import re

from django.urls import reverse
from django.utils import translation

from tests.api.helpers import approve_answers


def test_each_figure_names_what_it_is_before_its_value(client, catalogue, clinic, viewer):
    approve_answers(clinic)  # every requirement met
    client.force_login(viewer)

    html = client.get(reverse("clinic_detail", args=[clinic.pk])).content.decode()

    figures = re.search(r'<dl class="figures[^"]*">(.*?)</dl>', html, re.DOTALL)
    assert figures, "the figures are a definition list"
    terms = re.findall(r"<div>\s*<dt>(.*?)</dt>\s*<dd>(.*?)</dd>\s*</div>", figures[1], re.DOTALL)
    with translation.override("sv"):
        labels = [translation.gettext("Meets the whole baseline"), translation.gettext("Met")]
    label, value = terms[0]
    assert label == labels[0]
    assert "✓" in value, "the value follows its label"
    assert labels[1] in value
