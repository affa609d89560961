"""The follow-up's words: units, directions, the dimensions a figure is broken down by,
the usage the region measures, and how often a clinic reports its own indicators.

Plain choices, imported by the models and by the indicator definitions alike.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from requirements.vocabulary import CareType, ClinicKind, ContractForm, Municipality


class Unit(models.TextChoices):
    SHARE = "share", _("Share")
    COUNT = "count", _("Number")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Dimension(models.TextChoices):
    """What a figure is broken down by; each is a field of the clinic's status row on the
    day, so a breakdown is the clinics as they were then."""

    REGION = "region", _("The whole region")
    MUNICIPALITY = "municipality", _("Municipality")
    KIND = "kind", _("Type of clinic")
    CARE_TYPE = "care_type", _("Type of care")
    PROVIDER = "provider", _("Care provider")
    CONTRACT_FORM = "contract_form", _("Contract form")

    @property
    def field(self) -> str | None:
        """The clinic status row's field that holds the dimension's value."""
        return _DIMENSION_FIELDS[self]


def dimension_choices(dimension: Dimension) -> list[tuple[str, str]]:
    """The values a dimension can take and their names; a provider's are its ids (the
    register has them)."""
    return _DIMENSION_CHOICES.get(dimension, [])


_DIMENSION_FIELDS = {
    Dimension.REGION: None,
    Dimension.MUNICIPALITY: "municipality_code",
    Dimension.KIND: "kind",
    Dimension.CARE_TYPE: "care_type",
    Dimension.PROVIDER: "provider_id",
    Dimension.CONTRACT_FORM: "contract_form",
}


_DIMENSION_CHOICES = {
    Dimension.MUNICIPALITY: Municipality.choices,
    Dimension.KIND: ClinicKind.choices,
    Dimension.CARE_TYPE: CareType.choices,
    Dimension.CONTRACT_FORM: ContractForm.choices,
}


class UsageMeasure(models.TextChoices):
    """The monthly usage per HSA unit the region gets from the national e-service
    statistics, and the self-reported answer each one bears out."""

    WEB_BOOKINGS = "web_bookings", _("Web bookings")
    E_SERVICE_CASES = "e_service_cases", _("E-service cases")
    VIDEO_VISITS = "video_visits", _("Video visits")
    JOURNALEN_LOGINS = "journalen_logins", _("Journalen logins")

    @property
    def evidences(self) -> str:
        """The catalogue code (a requirement, or an area for every e-service) whose
        answer "met" the usage should bear out."""
        return _EVIDENCES[self]


_EVIDENCES = {
    UsageMeasure.WEB_BOOKINGS: "webbtidbok.boka_direkt",
    UsageMeasure.E_SERVICE_CASES: "etjanster",
    UsageMeasure.VIDEO_VISITS: "distans.video",
    UsageMeasure.JOURNALEN_LOGINS: "journalen.las_via_1177",
}


class ReportingFrequency(models.TextChoices):
    """How often a clinic reports one of its own indicators: a value per period."""

    MONTHLY = "month", _("Monthly")
    QUARTERLY = "quarter", _("Quarterly")
