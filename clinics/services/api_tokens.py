"""Making and revoking API keys. The key itself exists only in what ``create_api_token``
returns: the caller shows it once (the page, ``createuser --token``) and it is stored
nowhere, only knox's digest of it."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import get_digest_token
from knox.settings import CONSTANTS, knox_settings

from clinics import access
from clinics.models import ApiToken, User
from halland_utbud.errors import ApplicationError

# Enough for every system a person runs; a bound on the rows knox reads at each request.
MAX_API_TOKENS_PER_USER = 20


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    # The key to send as ``Authorization: Token <key>``: shown once, never stored.
    key: str


@transaction.atomic
def create_api_token(*, user: User, name: str) -> CreatedToken:
    """A new key for ``user``, named ``name``, valid for ``API_TOKEN_TTL_DAYS``. Only the
    user makes their own keys (the page passes the signed-in user; ``createuser`` the
    account it made)."""
    access.check_may_hold_api_tokens(user)
    # The user's row, locked: requests at once are checked one after the other, so none
    # passes the limit or the name's uniqueness only to fail at the unique index.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.filter(user=user).count() >= MAX_API_TOKENS_PER_USER:
        raise ApplicationError(
            _("You have %(count)d API keys, the most one may have: revoke one first.")
            % {"count": MAX_API_TOKENS_PER_USER}
        )
    digest, key = get_digest_token()
    token = ApiToken(
        user=user,
        name=name.strip(),
        digest=digest,
        token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
        expiry=timezone.now() + knox_settings.TOKEN_TTL,
    )
    try:
        token.full_clean()
    except ValidationError as error:
        errors = error.message_dict
        messages = errors.get("name") or errors.get("__all__") or error.messages
        raise ApplicationError(" ".join(messages), extra={"errors": {"name": messages}}) from None
    token._history_user = user
    token._change_reason = "create"
    token.save()
    return CreatedToken(token=token, key=key)


@transaction.atomic
def revoke_api_token(*, token: ApiToken, actor: User) -> None:
    """Delete the key: from now on it is refused. Its owner revokes it on their page, a
    region admin any key in the admin. A key already gone (revoked twice, or deleted by
    knox on expiry meanwhile) is left so."""
    access.check_may_revoke_api_token(actor, token)
    locked = ApiToken.objects.select_for_update().filter(pk=token.pk).first()
    if locked is None:
        return
    locked._history_user = actor
    locked._change_reason = "revoke"
    locked.delete()
