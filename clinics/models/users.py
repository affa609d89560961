from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clinics.models.signed_history import history_records
from requirements.identifiers import HSA_ID_MAX_LENGTH, validate_hsa_id


class Role(models.TextChoices):
    REGION_ADMIN = "region_admin", _("Region administrator")
    REVIEWER = "reviewer", _("Reviewer")
    CLINIC_REPORTER = "clinic_reporter", _("Clinic reporter")
    VIEWER = "viewer", _("Viewer")


# The role of someone who signed in with SITHS for the first time: they see nothing until a
# region admin gives them a role (clinics.access sees no role in it).
NO_ROLE = ""


class User(AbstractUser):
    """A person or system signing in. What it may see and do follows from ``role``.

    A clinic reporter reports for the clinics linked here, and for every clinic of the
    providers linked here (a provider's coordinator). Other roles see every clinic.
    """

    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.VIEWER, blank=True
    )
    # The employee HSA-id that SITHS sign-in (OpenID Connect) matches the person on; empty
    # for accounts that only sign in with a password.
    hsa_id = models.CharField(
        _("HSA-id"),
        max_length=HSA_ID_MAX_LENGTH,
        blank=True,
        validators=[validate_hsa_id],
        help_text=_("The person's employee HSA-id, which SITHS sign-in matches them on."),
    )
    clinics = models.ManyToManyField(
        "clinics.Clinic", blank=True, related_name="reporters", verbose_name=_("clinics")
    )
    providers = models.ManyToManyField(
        "clinics.Provider",
        blank=True,
        related_name="coordinators",
        verbose_name=_("care providers"),
    )
    history = history_records(
        excluded_fields=["password", "last_login"], m2m_fields=[clinics, providers]
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["hsa_id"], condition=~Q(hsa_id=""), name="user_hsa_id_unique"
            )
        ]

    def give_role(self, role: str) -> None:
        """The role, with the admin rights that go with it: a region admin has Django's
        admin (staff and superuser), every other role has none."""
        self.role = role
        self.is_staff = self.is_superuser = role == Role.REGION_ADMIN

    @property
    def awaits_role(self) -> bool:
        """Signed in (with SITHS) but given no role yet: a region admin must give one."""
        return self.role == NO_ROLE and not self.is_superuser


class SignInMethod(models.TextChoices):
    PASSWORD = "password", _("Password")
    OIDC = "oidc", _("SITHS (OpenID Connect)")


class SignIn(models.Model):
    """One sign-in: who, when, how, and at which level of assurance (the identity
    provider's ``acr``). What the user then does in that session is told by the history
    rows credited to them after it. Kept as long as the history is: never deleted."""

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="sign_ins", verbose_name=_("user")
    )
    at = models.DateTimeField(_("signed in at"), auto_now_add=True, db_index=True)
    method = models.CharField(_("method"), max_length=10, choices=SignInMethod.choices)
    acr = models.CharField(_("level of assurance (acr)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.at:%Y-%m-%d %H:%M} ({self.get_method_display()})"
