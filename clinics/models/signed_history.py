"""Which sign-in each record was made in, kept on every history row beside its user.

A user's session remembers the ``SignIn`` it began with (``SESSION_SIGN_IN``, set when
they sign in, by password or by SITHS). Every record of what they then do keeps that
sign-in, and with it the method and the level of assurance (``acr``) the identity
provider vouched for. The field's default reads it from the request being served, so a
history row gets it whichever way it is written: one at a time, or in bulk
(``bulk_create_with_history``), with no call site passing it.
"""

from django.contrib.auth import SESSION_KEY
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

SESSION_SIGN_IN = "clinics.sign_in"


def current_sign_in() -> int | None:
    """The id of the ``SignIn`` the request being served began its session with, or None
    outside a signed-in session (a task, a command, a request with an API key). The
    request is the one simple_history's middleware keeps for its ``history_user``."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    session = getattr(request, "session", None)
    # Only the session of the user acting: an API key's request may carry someone's
    # session cookie too, and that sign-in is not the key's.
    if session is None or session.get(SESSION_KEY) != str(user.pk):
        return None
    return session.get(SESSION_SIGN_IN)


def sign_in_field() -> models.ForeignKey:
    return models.ForeignKey(
        "clinics.SignIn",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        default=current_sign_in,
        related_name="+",
        verbose_name=_("signed in with"),
    )


class SignedHistory(models.Model):
    """The base of every historical model: the sign-in its row was written in."""

    history_sign_in = sign_in_field()

    class Meta:
        abstract = True


def history_records(**options) -> HistoricalRecords:
    """``HistoricalRecords`` as every model here keeps it: with the sign-in."""
    return HistoricalRecords(bases=[SignedHistory], **options)
