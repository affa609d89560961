"""The words the catalogue uses to describe clinics, answers and exemptions.

They live here, at the bottom of the import chain, because the catalogue's applicability
rules speak of them; ``clinics`` stores them and ``followup`` counts them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ClinicKind(models.TextChoices):
    VARDCENTRAL = "vardcentral", _("Health centre")
    SPECIALIST = "specialist", _("Specialist clinic")
    PSYCHIATRY = "psychiatry", _("Psychiatry")
    BUP = "bup", _("Child and adolescent psychiatry (BUP)")
    GENERAL_DENTAL = "general_dental", _("General dentistry")
    ORTHODONTICS = "orthodontics", _("Orthodontics")
    REHABILITATION = "rehabilitation", _("Rehabilitation")
    PATIENTNAMNDEN = "patientnamnden", _("Patients' Advisory Committee")
    VARDGARANTISERVICE = "vardgarantiservice", _("Care guarantee service")
    OTHER = "other", pgettext_lazy("clinic kind", "Other")


class CareType(models.TextChoices):
    HEALTH = "health", _("Health care")
    DENTAL = "dental", _("Dental care")


class ProviderKind(models.TextChoices):
    REGION = "region", _("Run by the region")
    PRIVATE = "private", _("Private under contract")


class ContractForm(models.TextChoices):
    REGION_RUN = "region_run", _("Run by the region")
    VARDVAL = "vardval", _("Patient choice scheme")
    PROCURED = "procured", _("Procured")
    OTHER = "other", pgettext_lazy("contract form", "Other")


class Municipality(models.TextChoices):
    """Halland's six municipalities, by their official municipality code."""

    HYLTE = "1315", "Hylte"
    HALMSTAD = "1380", "Halmstad"
    LAHOLM = "1381", "Laholm"
    FALKENBERG = "1382", "Falkenberg"
    VARBERG = "1383", "Varberg"
    KUNGSBACKA = "1384", "Kungsbacka"

    @classmethod
    def by_name(cls) -> list[tuple[str, str]]:
        """The choices alphabetically by name, as a reader looks for them. The members
        stay in code order: the model fields' choices, and so the migrations, follow it."""
        return sorted(cls.choices, key=lambda choice: choice[1])


class AnswerStatus(models.TextChoices):
    MET = "met", _("Met")
    PARTIALLY_MET = "partially_met", _("Partially met")
    NOT_MET = "not_met", _("Not met")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")

    @property
    def names_channel(self) -> bool:
        """An answer names the channel a service is offered through only if it is offered:
        not for "not met", nor for "not applicable"."""
        return self in (AnswerStatus.MET, AnswerStatus.PARTIALLY_MET)

    @property
    def needs_justification(self) -> bool:
        return self == AnswerStatus.NOT_APPLICABLE


class ReasonCategory(models.TextChoices):
    """Why an exemption is asked for; a catalogue may limit the reasons an exemption kind
    allows ("befogade tekniska eller medicinska skäl")."""

    TECHNICAL = "technical", _("Technical")
    MEDICAL = "medical", _("Medical")
    OTHER = "other", _("Other reason")


class RequirementLevel(models.TextChoices):
    """How binding a requirement is: the decision's "ska", or its "bör"."""

    REQUIRED = "required", _("Required (ska)")
    ADVISORY = "advisory", _("Advisory (bör)")


class Channel(models.TextChoices):
    """How a service reaches the citizen: the decision allows 1177 or an own solution."""

    E_SERVICES_1177 = "1177", _("1177 e-services")
    OWN_SOLUTION = "own", _("Own solution")
    BOTH = "both", _("Both 1177 and an own solution")


class ExemptionKind(models.TextChoices):
    """The exceptions decision RS220477 allows, each approved by Region Halland."""

    REQUEST_APPOINTMENT = (
        "request_appointment",
        _("The e-service “request an appointment” instead of booking one directly"),
    )
    DOCUMENTATION_OTHERWISE_AVAILABLE = (
        "documentation_otherwise_available",
        _("The documentation is made available in another way"),
    )
    OWN_PLATFORM_APPROVAL = "own_platform_approval", _("Approval of an own platform")


class ComplianceStatus(models.TextChoices):
    COMPLIANT = "compliant", _("Compliant")
    COMPLIANT_BY_EXEMPTION = "compliant_by_exemption", _("Compliant through exemption")
    NOT_COMPLIANT = "not_compliant", _("Not compliant")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    NOT_REPORTED = "not_reported", _("Not reported")

    @property
    def counts_as_met(self) -> bool:
        return self in (ComplianceStatus.COMPLIANT, ComplianceStatus.COMPLIANT_BY_EXEMPTION)


class AreaStatus(models.TextChoices):
    """What one area of the baseline says about one clinic, as the overview shows it."""

    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    NOT_REPORTED = "not_reported", _("Not reported")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
