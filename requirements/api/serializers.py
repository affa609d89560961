"""Output serializers for the requirement catalogue. Read-only: a catalogue version is
never changed through the API, only imported (``import_catalogue``)."""

from rest_framework import serializers

from requirements.vocabulary import ExemptionKind


class RequirementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name_sv = serializers.CharField()
    name_en = serializers.CharField()
    name = serializers.CharField(help_text="The name in the request's language (sv or en).")
    description = serializers.CharField(
        help_text="The description in the request's language (sv or en)."
    )
    area_code = serializers.CharField(source="area.code")
    decision_section = serializers.CharField()
    applies_when = serializers.ListField(
        child=serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
        help_text=(
            "Conditions on the clinic's attributes (kind, care_type, provider_kind, "
            "contract_form), any of which makes the requirement apply; each maps an "
            "attribute to its allowed values. Empty: the requirement applies to every clinic."
        ),
    )
    may_be_not_applicable = serializers.BooleanField()
    exemption_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=ExemptionKind.choices)
    )
    permanent_exemption_allowed = serializers.BooleanField()
    asks_channel = serializers.BooleanField()
    version = serializers.IntegerField(source="version_id", help_text="Catalogue version id.")


class AreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_sv = serializers.CharField()
    name_en = serializers.CharField()
    name = serializers.CharField(help_text="The name in the request's language (sv or en).")
    in_baseline = serializers.BooleanField(
        help_text="One of the seven areas of the baseline (grundutbud)."
    )
    requirements = RequirementSerializer(many=True)


class CatalogueVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    decision_id = serializers.CharField()
    revision = serializers.IntegerField()
    title = serializers.CharField()
    decision_date = serializers.DateField()
    effective_from = serializers.DateField()
    in_force = serializers.SerializerMethodField(
        help_text="This is the version clinics are judged against today."
    )

    def get_in_force(self, version) -> bool:
        return version.pk == self.context["in_force_id"]


class CatalogueVersionDetailSerializer(CatalogueVersionSerializer):
    areas = AreaSerializer(many=True)
