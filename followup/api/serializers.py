"""Output serializers of the region-wide reads: the clinic list, the matrix, the indicators
and their snapshots."""

from functools import cached_property

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clinics.api.serializers import ComplianceSummarySerializer, ProviderSummarySerializer
from clinics.models import Clinic, ReportingStatus
from followup.indicators import Source
from followup.periods import PeriodKind
from followup.vocabulary import Dimension, Direction, Unit
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
    # Two states, kept apart: what counts, and where the reporting under way stands.
    approved_report_on = serializers.DateField(
        allow_null=True,
        help_text="The day the approved report in force on on_date was approved (the report "
        "its compliance rests on); null if it has none.",
    )
    reporting = serializers.ChoiceField(
        choices=ReportingStatus.choices,
        help_text="Where the clinic's reporting under way stands, as it is now: its report in "
        "an open round or started outside one; none when nothing is under way.",
    )
    compliance = serializers.SerializerMethodField(
        help_text="Null when no catalogue version is in force on on_date."
    )

    @cached_property
    def _compliance(self) -> ComplianceSummarySerializer:
        # One for the whole page: a serializer builds its fields (deep copies of the
        # declared ones) when first asked, which per clinic was most of a page's time.
        return ComplianceSummarySerializer(context=self.context)

    @extend_schema_field(ComplianceSummarySerializer(allow_null=True))
    def get_compliance(self, clinic: Clinic) -> dict | None:
        result = self.context["compliance"].get(clinic.pk)
        if result is None:
            return None
        return self._compliance.to_representation(result)


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


class IndicatorSerializer(serializers.Serializer):
    """An indicator's definition, in the language of the request."""

    id = serializers.CharField(help_text=_("The indicator's id; it does not change."))
    name = serializers.CharField(help_text=_("The indicator's name."))
    description = serializers.CharField(help_text=_("What the indicator counts."))
    unit = serializers.ChoiceField(
        choices=Unit.choices, help_text=_("share: a fraction from 0 to 1; count: a number.")
    )
    direction = serializers.ChoiceField(
        choices=Direction.choices, help_text=_("Whether a higher or a lower value is better.")
    )
    source = serializers.ChoiceField(choices=Source.choices, help_text=_("What is counted."))
    area_code = serializers.CharField(
        help_text=_("The area of the catalogue the indicator is about; empty if none.")
    )


class SnapshotSerializer(serializers.Serializer):
    """One indicator's figure for one period and one dimension value."""

    indicator = serializers.CharField(help_text=_("The indicator's id."))
    indicator_name = serializers.CharField(help_text=_("The indicator's name."))
    period = serializers.CharField(help_text=_("The period: 2026, 2026-Q4 or 2026-11."))
    period_kind = serializers.ChoiceField(
        choices=PeriodKind.choices, help_text=_("Year, quarter or month.")
    )
    period_start = serializers.DateField(help_text=_("The period's first day."))
    period_end = serializers.DateField(help_text=_("The period's last day."))
    as_of = serializers.DateField(
        help_text=_(
            "The figure is the state at the end of this day: the period's last day, or the "
            "last complete day of a period that has not ended."
        )
    )
    dimension = serializers.ChoiceField(
        choices=Dimension.choices, help_text=_("What the figure is broken down by.")
    )
    dimension_value = serializers.CharField(
        help_text=_(
            "The dimension's value (a municipality code, a care provider's id, a kind of "
            "clinic...); empty for the whole region."
        )
    )
    dimension_label = serializers.CharField(help_text=_("The value's name."))
    numerator = serializers.FloatField(help_text=_("What is counted."))
    denominator = serializers.FloatField(
        allow_null=True, help_text=_("What it is counted out of; null for a count.")
    )
    value = serializers.FloatField(
        allow_null=True,
        help_text=_("The share (numerator / denominator, 0 to 1) or the count."),
    )
    unit = serializers.ChoiceField(choices=Unit.choices, help_text=_("share or count."))
    direction = serializers.ChoiceField(
        choices=Direction.choices, help_text=_("Whether a higher or a lower value is better.")
    )
    catalogue_version = serializers.IntegerField(
        allow_null=True, help_text=_("Id of the catalogue version in force on as_of.")
    )
    round = serializers.IntegerField(
        allow_null=True,
        help_text=_("Id of the reporting round the round indicators count; null if none."),
    )
    computed_at = serializers.DateTimeField(help_text=_("When the figure was computed."))
