"""Small builders for test data. Each takes keyword overrides and fills the rest with
valid, realistic values (Halland's HSA-id prefix, organisation numbers with check digit)."""

import itertools

from clinics.models import Clinic, Provider, Role, User
from clinics.services.register import save_clinic
from requirements.identifiers import luhn_is_valid
from requirements.vocabulary import (
    AnswerStatus,
    CareType,
    ClinicKind,
    ContractForm,
    Municipality,
    ProviderKind,
)

REGION_HALLAND_ORG_NR = "232100-0115"
_sequence = itertools.count(1)


def organisation_number(n: int) -> str:
    """A valid organisation number (Luhn check digit, digits 3-4 at least 20) from n."""
    base = f"55{(n % 10**7) + 2 * 10**6:07d}"
    check = next(d for d in "0123456789" if luhn_is_valid(base + d))
    return f"{base[:6]}-{base[6:]}{check}"


def make_provider(**fields) -> Provider:
    n = next(_sequence)
    fields.setdefault("name", f"Vårdgivare {n} AB")
    fields.setdefault("organisation_number", organisation_number(n))
    fields.setdefault("kind", ProviderKind.PRIVATE)
    return Provider.objects.create(**fields)


def make_clinic(**fields) -> Clinic:
    n = next(_sequence)
    if "provider" not in fields:
        fields["provider"] = make_provider()
    # A unit's HSA-id starts with its directory owner's organisation number.
    owner = fields["provider"].organisation_number.replace("-", "")
    fields.setdefault("hsa_id", f"SE{owner}-T{n:05d}")
    fields.setdefault("name", f"Vårdcentralen Test {n}")
    fields.setdefault("kind", ClinicKind.VARDCENTRAL)
    fields.setdefault("care_type", CareType.HEALTH)
    fields.setdefault("municipality_code", Municipality.HALMSTAD)
    fields.setdefault(
        "contract_form",
        ContractForm.REGION_RUN
        if fields["provider"].kind == ProviderKind.REGION
        else ContractForm.VARDVAL,
    )
    fields.setdefault("url_1177", "https://www.1177.se/hitta-vard/kontaktkort/test")
    # Through the register's service, as the admin and the import do: the clinic gets its
    # compliance timeline with it.
    return save_clinic(clinic=Clinic(**fields), actor=None)


def make_user(role: str = Role.VIEWER, *, clinics=(), providers=(), **fields) -> User:
    n = next(_sequence)
    fields.setdefault("username", f"{role}-{n}")
    fields.setdefault("email", f"{role}-{n}@example.se")
    if role == Role.REGION_ADMIN:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
    user = User.objects.create_user(role=role, password="ett-bra-losenord-42", **fields)
    user.clinics.set(clinics)
    user.providers.set(providers)
    return user


def answer_everything(report, actor, *, statuses: dict[str, str] | None = None) -> None:
    """Every requirement of the report answered through the service: met, or the status
    ``statuses`` gives for its code (a not applicable one with a justification)."""
    from clinics.services.reports import save_answer

    statuses = statuses or {}
    for requirement in report.catalogue_version.requirements.order_by("position"):
        status = statuses.get(requirement.code, AnswerStatus.MET)
        save_answer(
            report=report,
            requirement=requirement,
            actor=actor,
            status=status,
            justification="Ges inte här." if status == AnswerStatus.NOT_APPLICABLE else "",
        )


def approved_web_booking_exemption(clinic, *, reporter, reviewer, valid_from, valid_until):
    """An approved "request an appointment" exemption from direct web booking, through
    the services: requested by ``reporter``, decided by ``reviewer``."""
    from clinics.services.cases import approve_case, create_case, submit_case
    from requirements.selectors import catalogue_in_force

    case = create_case(
        clinic=clinic,
        requirement=catalogue_in_force(valid_from).requirements.get(code="webbtidbok.boka_direkt"),
        actor=reporter,
        exemption_kind="request_appointment",
        reason_category="technical",
        justification="Journalsystemet saknar stöd för direktbokning.",
        alternative="Beställa tid via 1177.",
        requested_from=valid_from,
        requested_until=valid_until,
    )
    submit_case(case=case, actor=reporter)
    return approve_case(case=case, actor=reviewer, valid_from=valid_from, valid_until=valid_until)


def return_as_the_form_does(report, reviewer, *, comment: str, beside: dict[str, str]):
    """Return the report as the review form does: with a comment for every answer, empty
    except beside the requirements ``beside`` names (code -> comment)."""
    from clinics.services.reports import return_report

    return return_report(
        report=report,
        actor=reviewer,
        comment=comment,
        answer_comments={
            answer.pk: beside.get(answer.requirement.code, "")
            for answer in report.answers.select_related("requirement")
        },
    )
