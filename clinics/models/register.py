"""The register: care providers and their clinics. Clinics are closed, never deleted."""

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinics.models.signed_history import history_records
from requirements.compliance import ClinicProfile
from requirements.identifiers import (
    HSA_ID_MAX_LENGTH,
    normalize_organisation_number,
    organisation_number_error,
    validate_hsa_id,
    validate_organisation_number,
)
from requirements.vocabulary import CareType, ClinicKind, ContractForm, Municipality, ProviderKind

# The change reason of the history rows a register import writes, so that the history
# can tell an import from a change made by hand.
IMPORT_CHANGE_REASON = "CSV-import"


class Provider(models.Model):
    name = models.CharField(_("name"), max_length=200)
    organisation_number = models.CharField(
        _("organisation number"),
        max_length=11,
        unique=True,
        validators=[validate_organisation_number],
        help_text=_("Ten digits, e.g. 232100-0115."),
    )
    kind = models.CharField(_("type"), max_length=20, choices=ProviderKind.choices)
    # The provider's own HSA-id, as SITHS sign-in names it (healthCareProviderHsaId): with
    # OIDC_LINK_PROVIDER, a clinic reporter signing in is linked to the provider it names.
    hsa_id = models.CharField(
        _("HSA-id"),
        max_length=HSA_ID_MAX_LENGTH,
        blank=True,
        validators=[validate_hsa_id],
        help_text=_("The care provider's HSA-id, which SITHS sign-in names (optional)."),
    )
    history = history_records()

    class Meta:
        verbose_name = _("care provider")
        verbose_name_plural = _("care providers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["hsa_id"], condition=~Q(hsa_id=""), name="provider_hsa_id_unique"
            ),
            # One spelling per number, so uniqueness means one row per provider.
            models.CheckConstraint(
                condition=Q(organisation_number__regex=r"^[0-9]{6}-[0-9]{4}$"),
                name="provider_organisation_number_canonical",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.organisation_number and not organisation_number_error(self.organisation_number):
            self.organisation_number = normalize_organisation_number(self.organisation_number)


class ClinicQuerySet(models.QuerySet):
    def active_on(self, day: date) -> "ClinicQuerySet":
        return self.filter(
            Q(active_from__isnull=True) | Q(active_from__lte=day),
            Q(active_until__isnull=True) | Q(active_until__gte=day),
        )


class Clinic(models.Model):
    hsa_id = models.CharField(
        _("HSA-id"), max_length=HSA_ID_MAX_LENGTH, unique=True, validators=[validate_hsa_id]
    )
    name = models.CharField(_("name"), max_length=200)
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="clinics", verbose_name=_("care provider")
    )
    kind = models.CharField(_("type of clinic"), max_length=30, choices=ClinicKind.choices)
    care_type = models.CharField(_("type of care"), max_length=20, choices=CareType.choices)
    municipality_code = models.CharField(
        _("municipality"), max_length=4, choices=Municipality.choices
    )
    contract_form = models.CharField(
        _("contract form"), max_length=20, choices=ContractForm.choices
    )
    url_1177 = models.URLField(_("page on 1177"), max_length=300, blank=True)
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_until = models.DateField(
        _("active until (inclusive)"),
        null=True,
        blank=True,
        help_text=_("Set when the clinic closes; clinics are never deleted."),
    )
    history = history_records()

    objects = ClinicQuerySet.as_manager()

    class Meta:
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_from__isnull=True)
                | Q(active_until__isnull=True)
                | Q(active_until__gte=models.F("active_from")),
                name="clinic_active_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.hsa_id})"

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return (self.active_from is None or self.active_from <= today) and (
            self.active_until is None or today <= self.active_until
        )

    def profile(self) -> ClinicProfile:
        """The attributes the catalogue's applicability rules speak of."""
        return ClinicProfile(
            kind=self.kind,
            care_type=self.care_type,
            provider_kind=self.provider.kind,
            contract_form=self.contract_form,
        )
