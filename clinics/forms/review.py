"""The review pages' input: the queue's filters and the reviewer's decision on a report."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinics.forms.fields import clinic_kind_filter, municipality_filter, provider_filter
from clinics.models import Answer, Provider, Report, ReportingRound
from halland_utbud.limits import LONG_TEXT_MAX, NAME_MAX


def _normalized(text: str) -> str:
    # Browsers send a textarea's line breaks as CRLF, whatever the stored text used.
    return text.replace("\r\n", "\n").strip()


class ReviewQueueFilterForm(forms.Form):
    """GET filters of the review queue. A value the form does not know is reported next to
    its field and ignored; the other filters still apply."""

    municipality = municipality_filter()
    provider = provider_filter()
    kind = clinic_kind_filter()
    round = forms.ModelChoiceField(
        label=_("Reporting round"),
        required=False,
        queryset=ReportingRound.objects.all(),
        empty_label=_("All rounds"),
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=NAME_MAX,
        help_text=_("Part of the clinic's name, its HSA-id or the care provider's name."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args, providers: QuerySet[Provider], **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers

    def filter(self, reports: QuerySet[Report]) -> QuerySet[Report]:
        """``reports`` narrowed by every filter that holds a valid value."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("municipality"):
            reports = reports.filter(clinic__municipality_code=data["municipality"])
        if data.get("provider"):
            reports = reports.filter(clinic__provider=data["provider"])
        if data.get("kind"):
            reports = reports.filter(clinic__kind=data["kind"])
        if data.get("round"):
            reports = reports.filter(round=data["round"])
        text = (data.get("q") or "").strip()
        if text:
            reports = reports.filter(
                Q(clinic__name__icontains=text)
                | Q(clinic__hsa_id__icontains=text)
                | Q(clinic__provider__name__icontains=text)
            )
        return reports


class DecisionForm(forms.Form):
    """Approve or return a submitted report, with an overall comment and one comment field
    per answer. The services enforce the state machine and the four-eyes rule; this form
    only checks what the reviewer wrote."""

    APPROVE = "approve"
    RETURN = "return"

    action = forms.ChoiceField(
        choices=[(APPROVE, _("Approve")), (RETURN, _("Return for completion"))],
        error_messages={"required": _("Choose whether to approve or return the report.")},
    )
    comment = forms.CharField(
        label=_("Overall comment"),
        required=False,
        max_length=LONG_TEXT_MAX,
        help_text=_(
            "Sent to the clinic with the decision. When you return the report, write here or "
            "beside at least one answer what the clinic needs to complete."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # When the report the reviewer read was submitted. If the clinic has submitted it again
    # since, the reviewer has not seen what they would decide on.
    submitted_at = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, answers: list[Answer], **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.answers = answers
        for answer in answers:
            # The reviewer's earlier comment stands until changed: what is in the box is
            # what the clinic will see once the report is returned.
            self.fields[self.answer_field_name(answer)] = forms.CharField(
                label=answer.requirement.name,
                required=False,
                max_length=LONG_TEXT_MAX,
                initial=answer.review_comment,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @staticmethod
    def answer_field_name(answer: Answer) -> str:
        return f"answer_{answer.pk}"

    def answer_comments(self) -> dict[int, str]:
        """answer id -> the reviewer's comment on it (empty clears an earlier comment)."""
        return {
            answer.pk: self.cleaned_data.get(self.answer_field_name(answer), "").strip()
            for answer in self.answers
        }

    def clean(self) -> dict:
        data = super().clean()
        action = data.get("action")
        if action == self.RETURN:
            if not data.get("comment", "").strip() and not any(self.answer_comments().values()):
                self.add_error(
                    "comment",
                    gettext(
                        "Write what the clinic needs to complete, here or beside at least "
                        "one answer."
                    ),
                )
        elif action == self.APPROVE:
            # An approval records only the overall comment; a comment written or changed
            # beside an answer would be lost without a word, so ask the reviewer to move it.
            comments = self.answer_comments()
            changed = [
                answer
                for answer in self.answers
                if _normalized(comments[answer.pk]) != _normalized(answer.review_comment)
            ]
            for answer in changed:
                self.add_error(
                    self.answer_field_name(answer),
                    gettext(
                        "Comments beside answers can only be changed when the report is "
                        "returned. To approve it, leave them as they were and write in the "
                        "overall comment."
                    ),
                )
        return data
