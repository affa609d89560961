"""Small builders for test data. Each takes keyword overrides and fills the rest with
valid, realistic values (Halland's HSA-id prefix, organisation numbers with check digit)."""

import itertools

from clinics.models import Clinic, Provider, Role, User
from clinics.services.register import save_clinic
from requirements.identifiers import luhn_is_valid
from requirements.vocabulary import CareType, ClinicKind, ContractForm, Municipality, ProviderKind

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
