"""API keys: how a system (or a person's script) reads the REST API as a user.

django-rest-knox keeps them: the key is shown once, when it is made, and only its SHA-512
digest is stored, with its first characters (``token_key``) to find the row by and to tell
keys apart on the page. Each key has a name its user gives it, and an expiry
(``API_TOKEN_TTL_DAYS``); knox refuses an expired key, and deletes it, on its next use.
Revoking a key deletes its row; the history keeps who made and who revoked which key,
when.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from clinics.models.signed_history import history_records

# A key's name is a short label ("Budgetsystemet"), not a description.
API_TOKEN_NAME_MAX = 100


class ApiToken(AbstractAuthToken):
    name = models.CharField(_("name"), max_length=API_TOKEN_NAME_MAX)
    # The digest is knox's primary key, so the history keeps it too: a hash of a random
    # key, which reveals nothing of the key.
    history = history_records()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                name="api_token_name_once",
                violation_error_message=_("You already have an API key with this name."),
            ),
            # The page names a key by its first characters (its URL too).
            models.UniqueConstraint(fields=["user", "token_key"], name="api_token_key_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"

    @property
    def is_expired(self) -> bool:
        return self.expiry is not None and self.expiry < timezone.now()
