"""Output serializers of the region-wide reads: the clinic list and the matrix."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clinics.api.serializers import ComplianceSummarySerializer, ProviderSummarySerializer
from clinics.models import Clinic, ReportState
from requirements.vocabulary import (
    AnswerStatus,
    CareType,
    Channel,
    ClinicKind,
    ComplianceStatus,
    ContractForm,
    ExemptionKind,
    Municipality,
)


class ClinicSerializer(serializers.Serializer):
    """The clinic's register entry as it is now, and its compliance on on_date."""

    id = serializers.IntegerField()
    hsa_id = serializers.CharField()
    name = serializers.CharField()
    provider = ProviderSummarySerializer()
    kind = serializers.ChoiceField(choices=ClinicKind.choices)
    care_type = serializers.ChoiceField(choices=CareType.choices)
    municipality_code = serializers.ChoiceField(choices=Municipality.choices)
    municipality_name = serializers.CharField(source="get_municipality_code_display")
    contract_form = serializers.ChoiceField(choices=ContractForm.choices)
    url_1177 = serializers.CharField(help_text="The clinic's page on 1177; may be empty.")
    active_from = serializers.DateField(allow_null=True)
    active_until = serializers.DateField(allow_null=True)
    is_active = serializers.BooleanField(help_text="Open today.")
    report_state = serializers.ChoiceField(
        choices=ReportState.choices,
        allow_null=True,
        help_text="State of the clinic's latest report; null if it has none.",
    )
    compliance = serializers.SerializerMethodField(
        help_text="Null when no catalogue version is in force on on_date."
    )

    @extend_schema_field(ComplianceSummarySerializer(allow_null=True))
    def get_compliance(self, clinic: Clinic) -> dict | None:
        result = self.context["compliance"].get(clinic.pk)
        if result is None:
            return None
        return ComplianceSummarySerializer(result, context=self.context).data


class MatrixRowSerializer(serializers.Serializer):
    """For the schema only: the rows are written straight from the query."""

    clinic_id = serializers.IntegerField()
    hsa_id = serializers.CharField()
    clinic_name = serializers.CharField()
    requirement_code = serializers.CharField()
    area_code = serializers.CharField()
    status = serializers.ChoiceField(choices=ComplianceStatus.choices)
    answer_status = serializers.ChoiceField(
        choices=AnswerStatus.choices,
        allow_null=True,
        help_text="The answer in the approved report in force; null if none.",
    )
    channel = serializers.ChoiceField(choices=Channel.choices, allow_null=True)
    exemption_case_id = serializers.IntegerField(
        allow_null=True, help_text="The approved exemption the status rests on, if any."
    )
    exemption_kind = serializers.ChoiceField(choices=ExemptionKind.choices, allow_null=True)
    exemption_valid_from = serializers.DateField(allow_null=True)
    exemption_valid_until = serializers.DateField(
        allow_null=True, help_text="Null: until further notice (or no exemption)."
    )
    catalogue_version = serializers.IntegerField(
        help_text="Id of the catalogue version in force on on_date."
    )
    status_since = serializers.DateField(help_text="The day the status took effect.")


class MatrixPageSerializer(serializers.Serializer):
    on_date = serializers.DateField()
    next = serializers.URLField(allow_null=True, help_text="The next page; null on the last.")
    results = MatrixRowSerializer(many=True)
