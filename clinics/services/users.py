"""Accounts of the people and systems that use the register, each with its role."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clinics.models import Clinic, Provider, Role, SignIn, SignInMethod, User
from clinics.services.api_tokens import CreatedToken, create_api_token
from halland_utbud.errors import ApplicationError
from requirements.identifiers import normalize_organisation_number, organisation_number_error


@dataclass(frozen=True)
class CreatedUser:
    user: User
    # The API key, when one was asked for: shown once, stored only as its digest.
    api_token: CreatedToken | None = None

    @property
    def token(self) -> str | None:
        """The key itself, to print once."""
        return self.api_token.key if self.api_token else None


@transaction.atomic
def create_user(
    *,
    username: str,
    role: str,
    password: str | None,
    email: str = "",
    clinic_hsa_ids: Iterable[str] = (),
    provider_org_nrs: Iterable[str] = (),
    with_token: bool = False,
    token_name: str = "createuser",
) -> CreatedUser:
    """Create a person or system account with its role and, for a clinic reporter, the
    clinics and providers it reports for. ``password=None`` makes an account that cannot
    sign in with a password (a system reading the API with its token). ``with_token``
    makes the account an API key named ``token_name``.

    Region admins also get the Django admin (staff and superuser), where the register is kept.
    """
    if role not in Role.values:
        raise ApplicationError(
            _("Unknown role “%(role)s”; choose one of %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )
    hsa_ids = sorted({value.strip() for value in clinic_hsa_ids})
    org_nrs = sorted({value.strip() for value in provider_org_nrs})
    if role == Role.CLINIC_REPORTER and not (hsa_ids or org_nrs):
        raise ApplicationError(
            _("A clinic reporter must be linked to at least one clinic or provider.")
        )
    if role != Role.CLINIC_REPORTER and (hsa_ids or org_nrs):
        raise ApplicationError(_("Only a clinic reporter is linked to clinics and providers."))
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(
            _("There is already a user named %(username)s.") % {"username": username}
        )

    clinics = list(Clinic.objects.filter(hsa_id__in=hsa_ids))
    unknown = sorted(set(hsa_ids) - {clinic.hsa_id for clinic in clinics})
    if unknown:
        raise ApplicationError(
            _("There is no clinic with HSA-id %(hsa_ids)s.") % {"hsa_ids": ", ".join(unknown)}
        )
    invalid = [value for value in org_nrs if organisation_number_error(value)]
    normalized = {
        normalize_organisation_number(value) for value in org_nrs if value not in invalid
    }
    providers = list(Provider.objects.filter(organisation_number__in=normalized))
    unknown = invalid + sorted(normalized - {p.organisation_number for p in providers})
    if unknown:
        raise ApplicationError(
            _("There is no provider with organisation number %(org_nrs)s.")
            % {"org_nrs": ", ".join(unknown)}
        )

    user = User(username=username, email=email)
    user.give_role(role)
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ApplicationError(
                " ".join(error.messages), extra={"errors": {"password": error.messages}}
            ) from None
        user.set_password(password)
    try:
        user.full_clean()
    except ValidationError as error:
        raise ApplicationError(
            " ".join(error.messages), extra={"errors": error.message_dict}
        ) from None
    user.save()
    user.clinics.set(clinics)
    user.providers.set(providers)
    api_token = create_api_token(user=user, name=token_name) if with_token else None
    return CreatedUser(user=user, api_token=api_token)


def record_sign_in(*, user: User, method: SignInMethod, acr: str = "") -> SignIn:
    """The audit row of one sign-in: by password or SITHS, at which level of assurance."""
    return SignIn.objects.create(user=user, method=method, acr=acr[:200])
