"""What a request for an exemption or a platform approval must hold, as the decision and
the catalogue write it: a requirement in force that applies to the clinic, an exemption
the catalogue allows from it, for a reason it allows, explained, with what the clinic
offers instead where it asks for that, links that are web addresses, and dates in order
(an end date unless the exemption may be permanent). The case services ask it before
every save and submission (``clinics.services.cases``); forms and serializers only hand
over what was typed.
"""

from collections.abc import Sequence
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from clinics.links import links_error, tidied_links
from clinics.models import CaseState, Clinic, ExemptionCase
from clinics.models.cases import ReasonCategory
from halland_utbud.errors import ApplicationError
from requirements.models import Requirement
from requirements.selectors import catalogue_in_force


def validate_case(
    *,
    clinic: Clinic,
    requirement: Requirement,
    exemption_kind: str,
    reason_category: str,
    justification: str,
    alternative: str = "",
    links: Sequence[str] = (),
    requested_from: date | None,
    requested_until: date | None = None,
    renews: ExemptionCase | None = None,
    on_date: date | None = None,
) -> dict[str, str]:
    """Field errors for a request, in the user's language; empty when it is acceptable."""
    errors: dict[str, str] = {}
    on_date = on_date or timezone.localdate()
    version = catalogue_in_force(on_date)
    rule = requirement.to_rule()
    if version is None or requirement.version_id != version.pk:
        errors["requirement"] = _(
            "The requirement is not part of the requirement catalogue in force."
        )
    elif not rule.applicability.applies_to(clinic.profile()):
        errors["requirement"] = _("The requirement does not apply to this clinic.")
    if exemption_kind not in requirement.exemption_kinds:
        errors["exemption_kind"] = _(
            "The requirement catalogue allows no such exemption from this requirement."
        )
    if reason_category not in ReasonCategory.values:
        errors["reason_category"] = _("Choose one of the reasons.")
    # What the catalogue demands of this exemption kind ("på grund av befogade tekniska
    # eller medicinska skäl").
    exemption = rule.exemption_rule(exemption_kind)
    if exemption is not None and exemption.reasons and reason_category not in exemption.reasons:
        errors["reason_category"] = _(
            "The catalogue allows this exemption only for: %(reasons)s."
        ) % {
            "reasons": ", ".join(
                str(label) for value, label in ReasonCategory.choices if value in exemption.reasons
            )
        }
    if exemption is not None and exemption.alternative_required and not alternative.strip():
        errors["alternative"] = _("Describe what the clinic offers instead.")
    if not justification.strip():
        errors["justification"] = _("Explain why the clinic needs the exemption.")
    if error := links_error(tidied_links(links)):
        errors["links"] = error
    if requested_from is None:
        errors["requested_from"] = _("Give the date from which the exemption is needed.")
    if requested_until is None:
        if not requirement.permanent_exemption_allowed:
            errors["requested_until"] = _(
                "Give an end date: the catalogue allows this exemption only for a limited time."
            )
    elif requested_from is not None and requested_until < requested_from:
        errors["requested_until"] = _("The end date cannot be before the start date.")
    # Read from the database: the instance passed in may be older than its decision.
    if (
        renews is not None
        and not ExemptionCase.objects.filter(
            pk=renews.pk,
            clinic=clinic,
            requirement__code=requirement.code,
            state__in=CaseState.decided_states(),
        ).exists()
    ):
        errors["renews"] = _(
            "A renewal must follow a decided case of the same clinic and requirement."
        )
    return errors


def check_request(case: ExemptionCase) -> None:
    """ApplicationError with the field errors of ``validate_case``, if the case has any."""
    errors = validate_case(
        clinic=case.clinic,
        requirement=case.requirement,
        exemption_kind=case.exemption_kind,
        reason_category=case.reason_category,
        justification=case.justification,
        alternative=case.alternative,
        links=case.links,
        requested_from=case.requested_from,
        requested_until=case.requested_until,
        renews=case.renews,
    )
    if errors:
        raise ApplicationError(_("The request has errors."), extra={"errors": errors})
