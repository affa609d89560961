"""The exemption pages' input: the clinic's request, the reviewer's decision and revocation,
and the queue's filters.

These forms only parse what the person wrote (a choice, a date, one link a line); what is
acceptable is decided by ``clinics.services.cases`` alone, whose field errors
``apply_service_errors`` puts next to the fields. So the page, the API and the services
can never hold different rules. A field the service requires is optional here, so that
its error is the service's and stands beside the others it finds."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from clinics.forms.fields import with_blank
from clinics.models import CaseKind, CaseState, Clinic, ExemptionCase, ReasonCategory
from halland_utbud.limits import LONG_TEXT_MAX
from requirements.models import Requirement
from requirements.vocabulary import ExemptionKind

_DATE_WIDGET = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}


def exemptible_requirements(version) -> QuerySet[Requirement]:
    """The requirements of ``version`` that allow an exemption, in catalogue order."""
    if version is None:
        return Requirement.objects.none()
    return (
        Requirement.objects.filter(version=version)
        .exclude(exemption_kinds=[])
        .select_related("area")
        .order_by("position")
    )


def exemption_choice(requirement: Requirement, kind: str) -> str:
    return f"{requirement.pk}:{kind}"


def split_links(text: str) -> list[str]:
    """The links typed into a textarea, one a line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class CaseForm(forms.Form):
    """A clinic's request: which requirement and which of its exemptions, why, what the
    clinic offers instead, and for how long.

    The requirement and its exemption are one choice ("requirement: exemption"), so that
    nobody can combine a requirement with an exemption the catalogue does not allow for it,
    and the form needs no JavaScript to narrow one list by the other."""

    # Service field names -> the field of this form that shows their errors.
    SERVICE_FIELDS = {"requirement": "exemption", "exemption_kind": "exemption"}

    clinic = forms.ModelChoiceField(
        label=_("Clinic"), queryset=Clinic.objects.none(), empty_label=_("Choose a clinic")
    )
    exemption = forms.ChoiceField(
        label=_("Requirement and exemption"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the requirement and the exemption you request.")},
    )
    reason_category = forms.ChoiceField(
        label=_("Reason"),
        required=False,
        choices=ReasonCategory.choices,
        widget=forms.RadioSelect,
    )
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        max_length=LONG_TEXT_MAX,
        help_text=_("Why the clinic cannot meet the requirement as the decision states it."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    alternative = forms.CharField(
        label=_("What the clinic offers instead"),
        required=False,
        max_length=LONG_TEXT_MAX,
        help_text=_(
            "For example the e-service “request an appointment” on 1177 instead of booking "
            "directly."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    links = forms.CharField(
        label=_("Links to documents"),
        required=False,
        max_length=LONG_TEXT_MAX,
        help_text=_("Web addresses starting with https://, one per line."),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )
    requested_from = forms.DateField(
        label=_("Requested from"), required=False, widget=forms.DateInput(**_DATE_WIDGET)
    )
    requested_until = forms.DateField(
        label=_("Requested until"),
        required=False,
        help_text=_("The last day. Leave empty to request it until further notice."),
        widget=forms.DateInput(**_DATE_WIDGET),
    )

    def __init__(
        self,
        *args,
        clinics: QuerySet[Clinic],
        requirements: QuerySet[Requirement],
        case: ExemptionCase | None = None,
        **kwargs,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        if case is not None:
            kwargs.setdefault("initial", self.initial_for(case))
        super().__init__(*args, **kwargs)
        self.case = case
        self.requirements = {requirement.pk: requirement for requirement in requirements}
        kind_labels = dict(ExemptionKind.choices)
        self.fields["exemption"].choices = [
            (
                exemption_choice(requirement, kind),
                f"{requirement.name}: {kind_labels.get(kind, kind)}",
            )
            for requirement in self.requirements.values()
            for kind in requirement.exemption_kinds
        ]
        if case is not None:
            # A case stays with its clinic; a request for another clinic is a new case.
            del self.fields["clinic"]
        else:
            self.fields["clinic"].queryset = clinics

    @staticmethod
    def initial_for(case: ExemptionCase) -> dict:
        return {
            "exemption": exemption_choice(case.requirement, case.exemption_kind),
            "reason_category": case.reason_category,
            "justification": case.justification,
            "alternative": case.alternative,
            "links": "\n".join(case.links),
            "requested_from": case.requested_from,
            "requested_until": case.requested_until,
        }

    def clean_links(self) -> list[str]:
        return split_links(self.cleaned_data["links"])

    def requirement_and_kind(self) -> tuple[Requirement, str]:
        pk, kind = self.cleaned_data["exemption"].split(":", 1)
        return self.requirements[int(pk)], kind

    def service_fields(self) -> dict:
        """What the services take, as keyword arguments."""
        requirement, kind = self.requirement_and_kind()
        data = self.cleaned_data
        return {
            "requirement": requirement,
            "exemption_kind": kind,
            "reason_category": data["reason_category"],
            "justification": data["justification"].strip(),
            "alternative": data["alternative"].strip(),
            "links": data["links"],
            "requested_from": data["requested_from"],
            "requested_until": data["requested_until"],
        }


class DecisionForm(forms.Form):
    """A reviewer's decision on a submitted case: approve for a period, reject, or return
    for completion. What each needs (a period the catalogue allows, a comment) is the
    service's to say (``approve_case``, ``reject_case``, ``return_case``)."""

    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"
    SERVICE_FIELDS: dict[str, str] = {}

    action = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve")), (REJECT, _("Reject")), (RETURN, _("Return"))],
        error_messages={"required": _("Choose whether to approve, reject or return the case.")},
    )
    valid_from = forms.DateField(
        label=_("Valid from"), required=False, widget=forms.DateInput(**_DATE_WIDGET)
    )
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(**_DATE_WIDGET)
    )
    comment = forms.CharField(
        label=_("Comment to the clinic"),
        required=False,
        max_length=LONG_TEXT_MAX,
        help_text=_("Required when you reject or return the case."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, case: ExemptionCase, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault(
            "initial", {"valid_from": case.requested_from, "valid_until": case.requested_until}
        )
        super().__init__(*args, **kwargs)
        self.permanent_allowed = case.requirement.permanent_exemption_allowed
        self.fields["valid_until"].help_text = (
            _("The last day of the exemption. Leave empty to approve it until further notice.")
            if self.permanent_allowed
            else _("The last day of the exemption. Required for this requirement.")
        )


class RevokeForm(forms.Form):
    """The reason for revoking; ``revoke_case`` requires it."""

    SERVICE_FIELDS = {"comment": "reason"}

    reason = forms.CharField(
        label=_("Reason for revoking"),
        required=False,
        max_length=LONG_TEXT_MAX,
        help_text=_("Sent to the clinic. The requirement falls back to the clinic's answer."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", "revoke")
        super().__init__(*args, **kwargs)


class CaseQueueFilterForm(forms.Form):
    """GET filters of the reviewers' queue; an unknown value is shown next to its field
    and ignored."""

    kind = forms.ChoiceField(
        label=_("Kind of case"),
        required=False,
        choices=with_blank(CaseKind.choices, _("All kinds")),
    )
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=with_blank(CaseState.choices, _("Waiting and approved")),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def filter(self, cases: QuerySet[ExemptionCase]) -> QuerySet[ExemptionCase]:
        self.is_valid()
        data = self.cleaned_data
        if data.get("kind"):
            cases = cases.filter(kind=data["kind"])
        if data.get("state"):
            return cases.filter(state=data["state"])
        return cases.filter(state__in=[CaseState.SUBMITTED, CaseState.APPROVED])
