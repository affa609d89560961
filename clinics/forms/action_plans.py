"""The action plan's input: the clinic's rows (one per unmet requirement), and the
reviewer's decision. The forms parse and show; ``clinics.services.action_plans`` decides
(dates, completeness, who may), and its field errors are shown on these fields."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clinics.forms.fields import DATE_FORMAT
from clinics.models import ActionPlanItem, Answer
from clinics.models.action_plans import (
    COMMENT_MAX_LENGTH,
    MEASURE_MAX_LENGTH,
    RESPONSIBLE_MAX_LENGTH,
)
from clinics.services.action_plans import PlanRow, row_field_name


def _normalized(text: str) -> str:
    # Browsers send a textarea's line breaks as CRLF, whatever the stored text used.
    return text.replace("\r\n", "\n").strip()


class ActionPlanForm(forms.Form):
    SAVE, SUBMIT = "save", "submit"

    action = forms.ChoiceField(
        choices=[(SAVE, _("Save draft")), (SUBMIT, _("Submit for review"))],
        widget=forms.HiddenInput,
        required=False,
    )

    def __init__(self, *args, answers: list[Answer], items: dict[int, ActionPlanItem], **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.answers = answers
        for answer in answers:
            item = items.get(answer.pk)
            self.fields[row_field_name("measure", answer.pk)] = forms.CharField(
                label=pgettext_lazy("action plan", "Measure"),
                required=False,
                max_length=MEASURE_MAX_LENGTH,
                initial=item.measure if item else "",
                help_text=_("What the clinic will do so that the requirement is met."),
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[row_field_name("responsible", answer.pk)] = forms.CharField(
                label=_("Responsible person"),
                required=False,
                max_length=RESPONSIBLE_MAX_LENGTH,
                initial=item.responsible if item else "",
                help_text=_("Name (and role) of the person who sees that it is done."),
            )
            self.fields[row_field_name("due_date", answer.pk)] = forms.DateField(
                label=_("Done by"),
                required=False,
                input_formats=[DATE_FORMAT],
                initial=item.due_date if item else None,
                widget=forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT),
            )

    def rows(self) -> list[tuple[Answer, list[forms.BoundField]]]:
        """Each unmet requirement's answer with its three fields, for the template."""
        return [
            (
                answer,
                [
                    self[row_field_name(name, answer.pk)]
                    for name in ("measure", "responsible", "due_date")
                ],
            )
            for answer in self.answers
        ]

    def plan_rows(self) -> dict[int, PlanRow]:
        data = self.cleaned_data
        return {
            answer.pk: PlanRow(
                measure=_normalized(data.get(row_field_name("measure", answer.pk)) or ""),
                responsible=(data.get(row_field_name("responsible", answer.pk)) or "").strip(),
                due_date=data.get(row_field_name("due_date", answer.pk)),
            )
            for answer in self.answers
        }

    @property
    def submits(self) -> bool:
        return self.cleaned_data.get("action") == self.SUBMIT


class ActionPlanDecisionForm(forms.Form):
    ACCEPT, RETURN = "accept", "return"

    action = forms.ChoiceField(
        label=_("Decision"),
        choices=[(ACCEPT, _("Accept the action plan")), (RETURN, _("Return it to the clinic"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to accept or return the plan.")},
    )
    comment = forms.CharField(
        label=_("Comment to the clinic"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        help_text=_("Required when you return the plan: say what needs to be changed."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_comment(self) -> str:
        return _normalized(self.cleaned_data.get("comment") or "")
