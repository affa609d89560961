"""The words the catalogue uses to describe clinics, answers and exemptions.

They live here, at the bottom of the import chain, because the catalogue's applicability
rules speak of them; ``clinics`` stores them and ``followup`` counts them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClinicKind(models.TextChoices):
    VARDCENTRAL = "vardcentral", _("Vårdcentral")
    SPECIALIST = "specialist", _("Specialistmottagning")
    PSYCHIATRY = "psychiatry", _("Psykiatri")
    BUP = "bup", _("Barn- och ungdomspsykiatri (BUP)")
    GENERAL_DENTAL = "general_dental", _("Allmäntandvård")
    ORTHODONTICS = "orthodontics", _("Tandreglering")
    REHABILITATION = "rehabilitation", _("Rehabilitering")
    PATIENTNAMNDEN = "patientnamnden", _("Patientnämnden")
    VARDGARANTISERVICE = "vardgarantiservice", _("Vårdgarantiservice")
    OTHER = "other", _("Övrig")


class CareType(models.TextChoices):
    HEALTH = "health", _("Hälso- och sjukvård")
    DENTAL = "dental", _("Tandvård")


class ProviderKind(models.TextChoices):
    REGION = "region", _("Regiondriven")
    PRIVATE = "private", _("Privat med avtal")


class ContractForm(models.TextChoices):
    REGION_RUN = "region_run", _("Regiondriven")
    VARDVAL = "vardval", _("Vårdval")
    PROCURED = "procured", _("Upphandlad")
    OTHER = "other", _("Annan")


class Municipality(models.TextChoices):
    """Halland's six municipalities, by their official municipality code."""

    HYLTE = "1315", "Hylte"
    HALMSTAD = "1380", "Halmstad"
    LAHOLM = "1381", "Laholm"
    FALKENBERG = "1382", "Falkenberg"
    VARBERG = "1383", "Varberg"
    KUNGSBACKA = "1384", "Kungsbacka"


class AnswerStatus(models.TextChoices):
    MET = "met", _("Uppfyllt")
    PARTIALLY_MET = "partially_met", _("Delvis uppfyllt")
    NOT_MET = "not_met", _("Ej uppfyllt")
    NOT_APPLICABLE = "not_applicable", _("Ej tillämpligt")


class Channel(models.TextChoices):
    """How a service reaches the citizen: the decision allows 1177 or an own solution."""

    E_SERVICES_1177 = "1177", _("1177 e-tjänster")
    OWN_SOLUTION = "own", _("Egen lösning")
    BOTH = "both", _("Både 1177 och egen lösning")


class ExemptionKind(models.TextChoices):
    """The exceptions decision RS220477 allows, each approved by Region Halland."""

    REQUEST_APPOINTMENT = (
        "request_appointment",
        _("E-tjänsten ”beställa tid” i stället för att boka tid direkt"),
    )
    DOCUMENTATION_OTHERWISE_AVAILABLE = (
        "documentation_otherwise_available",
        _("Dokumentationen görs tillgänglig på annat sätt"),
    )
    OWN_PLATFORM_APPROVAL = "own_platform_approval", _("Godkännande av egen plattform")


class ComplianceStatus(models.TextChoices):
    COMPLIANT = "compliant", _("Uppfyllt")
    COMPLIANT_BY_EXEMPTION = "compliant_by_exemption", _("Uppfyllt genom undantag")
    NOT_COMPLIANT = "not_compliant", _("Ej uppfyllt")
    NOT_APPLICABLE = "not_applicable", _("Ej tillämpligt")
    NOT_REPORTED = "not_reported", _("Ej rapporterat")

    @property
    def counts_as_met(self) -> bool:
        return self in (ComplianceStatus.COMPLIANT, ComplianceStatus.COMPLIANT_BY_EXEMPTION)
