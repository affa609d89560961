"""The read-only list of exemption and platform-approval cases: who has which exemption,
which are in force on a day and which end soon. Region admins, reviewers and viewers read
every case, a clinic reporter their own clinics' (``access.visible_cases``).

The filter and the order are SQL; the page reads one page of cases and the downloads
stream every case of the filter through ``followup.exports``, so the list costs the same
number of queries for ten cases as for ten thousand. "In force" is the approved period
as the compliance timeline reads it: a revoked exemption was in force until the day
before it was revoked, an expired one for exactly its period. (Whether it decided the
clinic's status on the day, e.g. when the clinic answered the requirement met, is the
clinic page's question, not this list's.)
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from django import forms
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinics import access
from clinics.forms.cases import exemptible_requirements
from clinics.forms.fields import DATE_FORMAT, municipality_filter, on_date_field, with_blank
from clinics.models import CaseKind, CaseState, ExemptionCase, User
from clinics.selectors import cases_in_force, days_left
from followup.exports import Value_
from requirements.selectors import catalogue_in_force

# The list's own states beside the cases' states: what the timeline says on the day.
IN_FORCE = "in_force"
ENDING = "ending"
DEFAULT_ENDING_DAYS = 90
MAX_ENDING_DAYS = 3650


class ExemptionListFilterForm(forms.Form):
    """GET filters of the list. Every field is optional; a bad value is an error next to
    its field, and no list is shown under a filter that does not apply."""

    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=with_blank(
            [
                (IN_FORCE, _("In force on the day")),
                (ENDING, _("In force and ending within the number of days")),
                *CaseState.choices,
            ],
            _("All cases"),
        ),
    )
    on_date = on_date_field(
        label=_("Day"), help_text=_("For “in force” and “ending”. Empty for today.")
    )
    within_days = forms.IntegerField(
        label=_("Ending within (days)"),
        required=False,
        min_value=1,
        max_value=MAX_ENDING_DAYS,
    )
    kind = forms.ChoiceField(
        label=_("Kind of case"),
        required=False,
        choices=with_blank(CaseKind.choices, _("All kinds")),
    )
    requirement = forms.ChoiceField(label=_("Requirement"), required=False)
    municipality = municipality_filter()
    valid_until_to = forms.DateField(
        label=_("Ends at the latest"),
        required=False,
        input_formats=[DATE_FORMAT],
        help_text=_("The last day of the approved period, on or before this day."),
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # The requirements that allow a case today, by code: a case stays findable across
        # catalogue versions, whose requirements share the code. One query (two with the
        # version).
        requirements = exemptible_requirements(catalogue_in_force(timezone.localdate()))
        self.fields["requirement"].choices = with_blank(
            [(requirement.code, requirement.name) for requirement in requirements],
            _("All requirements"),
        )
        within = self.fields["within_days"]
        within.help_text = gettext("For “ending”. Empty for %(days)s days.") % {
            "days": DEFAULT_ENDING_DAYS
        }
        within.widget.attrs["placeholder"] = str(DEFAULT_ENDING_DAYS)

    def day(self) -> date:
        return self.cleaned_data.get("on_date") or timezone.localdate()

    def ending_days(self) -> int:
        return self.cleaned_data.get("within_days") or DEFAULT_ENDING_DAYS


def listed_cases(user: User, form: ExemptionListFilterForm) -> QuerySet[ExemptionCase]:
    """The cases the user may see that match the (valid) filter, in the list's order."""
    data = form.cleaned_data
    cases = access.visible_cases(user).select_related("clinic", "requirement__area", "decided_by")
    state = data.get("state")
    if state in (IN_FORCE, ENDING):
        cases = cases_in_force(cases, form.day())
        if state == ENDING:
            last = form.day() + timedelta(days=form.ending_days())
            cases = cases.filter(valid_until__lte=last)
    elif state:
        cases = cases.filter(state=state)
    if data.get("kind"):
        cases = cases.filter(kind=data["kind"])
    if data.get("requirement"):
        cases = cases.filter(requirement__code=data["requirement"])
    if data.get("municipality"):
        cases = cases.filter(clinic__municipality_code=data["municipality"])
    if data.get("valid_until_to"):
        cases = cases.filter(valid_until__lte=data["valid_until_to"])
    return _ordered(cases)


def _ordered(cases: QuerySet[ExemptionCase]) -> QuerySet[ExemptionCase]:
    """Approved cases first, the one ending soonest first (until further notice last);
    then those waiting for a decision, the one waiting longest first; then drafts and
    returned ones; then the decided rest, by their end and then newest first."""
    group = Case(
        When(state=CaseState.APPROVED, then=Value(0)),
        When(state=CaseState.SUBMITTED, then=Value(1)),
        When(state__in=CaseState.editable_states(), then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return cases.alias(group=group).order_by(
        "group",
        F("valid_until").asc(nulls_last=True),
        F("submitted_at").asc(nulls_last=True),
        "-created_at",
        "pk",
    )


# The list as a file: one row per case, in the list's order.


def header() -> list[str]:
    return [
        gettext("Case"),
        gettext("HSA-id"),
        gettext("Clinic"),
        gettext("Municipality"),
        gettext("Kind of case"),
        gettext("Area"),
        gettext("Requirement"),
        gettext("Exemption"),
        gettext("Status"),
        gettext("Requested from"),
        gettext("Requested until"),
        gettext("Valid from"),
        gettext("Valid until"),
        gettext("Days left"),
        gettext("Submitted"),
        gettext("Decided"),
        gettext("Decided by"),
    ]


def records(cases: QuerySet[ExemptionCase], today: date) -> Iterator[list[Value_]]:
    """Each case's values; dates as ISO 8601 text, the days left as a number. The cases
    are read in chunks, in one query."""
    for case in cases.iterator(chunk_size=2000):
        clinic = case.clinic
        yield [
            case.pk,
            clinic.hsa_id,
            clinic.name,
            clinic.get_municipality_code_display(),
            case.get_kind_display(),
            case.requirement.area.name,
            case.requirement.name,
            case.get_exemption_kind_display(),
            case.get_state_display(),
            _day(case.requested_from),
            _day(case.requested_until),
            _day(case.valid_from),
            _day(case.valid_until),
            days_left(case, today),
            _day(case.submitted_at),
            _day(case.decided_at),
            case.decided_by.get_full_name() or case.decided_by.username if case.decided_by else "",
        ]


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return value.isoformat()
