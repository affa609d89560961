"""Output serializers for providers, clinics and their compliance. Read-only: the register
is kept in the admin and reports go through ``clinics.services``, never through the API.

Compliance is read from the timeline and handed to the serializers in their context, with
the catalogue version it was judged against: ``context["catalogue"]`` (a
``ComplianceCatalogue``) and, for the clinic list, ``context["compliance"]`` (clinic id ->
a summary with the attributes of ``ClinicCompliance``).
"""

from dataclasses import dataclass, field

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clinics.models import Answer, Clinic
from requirements.compliance import ClinicCompliance, RequirementResult
from requirements.models import Area, CatalogueVersion, Requirement
from requirements.vocabulary import (
    AnswerStatus,
    Channel,
    ComplianceStatus,
    ExemptionKind,
    ProviderKind,
)


@dataclass(frozen=True)
class ComplianceCatalogue:
    """The catalogue version compliance was evaluated against, with its names."""

    version: CatalogueVersion
    area_names: dict[str, str]
    requirement_names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_version(
        cls, version: CatalogueVersion, *, requirement_names: bool = False
    ) -> "ComplianceCatalogue":
        """The version with its names in the active language, in one or two queries."""
        return cls(
            version=version,
            area_names={area.code: area.name for area in Area.objects.filter(version=version)},
            requirement_names=(
                {r.code: r.name for r in Requirement.objects.filter(version=version)}
                if requirement_names
                else {}
            ),
        )


class ProviderSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    organisation_number = serializers.CharField()
    kind = serializers.ChoiceField(choices=ProviderKind.choices)


class ProviderSerializer(ProviderSummarySerializer):
    clinic_count = serializers.IntegerField(
        help_text="The provider's clinics that you may see, closed ones included."
    )


class AreaComplianceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.SerializerMethodField()
    in_baseline = serializers.BooleanField()
    meets = serializers.BooleanField(help_text="Every applicable requirement is met.")
    met = serializers.IntegerField()
    applicable = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True, help_text="met / applicable; null if 0.")

    def get_name(self, area) -> str:
        return self.context["catalogue"].area_names.get(area.code, area.code)

    def to_representation(self, area) -> dict:
        # The fields above, written out: the clinics API shows seven areas for each of up
        # to 500 clinics a page, and DRF's field by field reading was most of its time.
        # A test holds this to what the fields would give.
        return {
            "code": _plain(area.code, str),
            "name": self.get_name(area),
            "in_baseline": _plain(area.in_baseline, bool),
            "meets": _plain(area.meets, bool),
            "met": _plain(area.met, int),
            "applicable": _plain(area.applicable, int),
            "share": _plain(area.share, float),
        }


def _plain(value, kind):
    """A value as its field gives it: None stays None (DRF skips the field for None)."""
    return None if value is None else kind(value)


class ComplianceSummarySerializer(serializers.Serializer):
    on_date = serializers.DateField()
    catalogue_version = serializers.SerializerMethodField(
        help_text="Id of the catalogue version in force on on_date."
    )
    meets_baseline = serializers.BooleanField(
        help_text="Every area of the baseline (grundutbud) is met."
    )
    meets_general = serializers.BooleanField(
        allow_null=True,
        help_text=(
            "Every general requirement (followed up beside the baseline) is met; null for a "
            "catalogue without general requirements."
        ),
    )
    met = serializers.IntegerField(help_text="Baseline requirements met.")
    applicable = serializers.IntegerField(help_text="Baseline requirements that apply.")
    share = serializers.FloatField(allow_null=True, help_text="met / applicable; null if 0.")
    areas = AreaComplianceSerializer(many=True)

    def get_catalogue_version(self, compliance) -> int:
        return self.context["catalogue"].version.pk


class ClinicReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    hsa_id = serializers.CharField()
    name = serializers.CharField()


class AnswerSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AnswerStatus.choices)
    channel = serializers.ChoiceField(choices=Channel.choices, allow_blank=True)
    evidence_url = serializers.CharField()
    comment = serializers.CharField()
    justification = serializers.CharField()
    review_comment = serializers.CharField()
    reported_at = serializers.DateTimeField()


class ExemptionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ExemptionKind.choices)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True, help_text="Null: until further notice.")


class RequirementComplianceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.SerializerMethodField()
    area_code = serializers.CharField()
    status = serializers.ChoiceField(choices=ComplianceStatus.choices)
    status_label = serializers.SerializerMethodField(
        help_text="The status in the request's language."
    )
    answer = serializers.SerializerMethodField(
        help_text="The answer in the clinic's latest report approved by on_date, if any."
    )
    exemption = ExemptionSerializer(allow_null=True)

    def get_name(self, result: RequirementResult) -> str:
        return self.context["catalogue"].requirement_names.get(result.code, result.code)

    def get_status_label(self, result: RequirementResult) -> str:
        return str(ComplianceStatus(result.status).label)

    @extend_schema_field(AnswerSerializer(allow_null=True))
    def get_answer(self, result: RequirementResult) -> dict | None:
        answer: Answer | None = self.context["answers"].get(result.code)
        return None if answer is None else AnswerSerializer(answer).data


@dataclass(frozen=True)
class ClinicComplianceDetail:
    clinic: Clinic
    compliance: ClinicCompliance

    @property
    def requirements(self) -> list[RequirementResult]:
        return [result for area in self.compliance.areas for result in area.results]


class ClinicComplianceSerializer(serializers.Serializer):
    clinic = ClinicReferenceSerializer()
    compliance = ComplianceSummarySerializer()
    requirements = RequirementComplianceSerializer(many=True)
