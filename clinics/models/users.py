from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    REGION_ADMIN = "region_admin", _("Region administrator")
    REVIEWER = "reviewer", _("Reviewer")
    CLINIC_REPORTER = "clinic_reporter", _("Clinic reporter")
    VIEWER = "viewer", _("Viewer")


class User(AbstractUser):
    """A person or system signing in. What it may see and do follows from ``role``.

    A clinic reporter reports for the clinics linked here, and for every clinic of the
    providers linked here (a provider's coordinator). Other roles see every clinic.
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    clinics = models.ManyToManyField(
        "clinics.Clinic", blank=True, related_name="reporters", verbose_name=_("clinics")
    )
    providers = models.ManyToManyField(
        "clinics.Provider",
        blank=True,
        related_name="coordinators",
        verbose_name=_("care providers"),
    )
    history = HistoricalRecords(
        excluded_fields=["password", "last_login"], m2m_fields=[clinics, providers]
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
