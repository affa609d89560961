"""The requirement catalogue over the API. Every signed-in role may read it (the default
IsAuthenticated permission): it is the published decision, not a clinic's data."""

from django import forms
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from requirements.api.serializers import (
    CatalogueVersionDetailSerializer,
    CatalogueVersionSerializer,
    RequirementSerializer,
)
from requirements.models import Area, CatalogueVersion, Requirement
from requirements.selectors import catalogue_in_force


class CatalogueVersionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = CatalogueVersion.objects.order_by("-effective_from", "-revision")
    filter_backends = []

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            requirements = Requirement.objects.order_by("position")
            areas = Area.objects.order_by("position").prefetch_related(
                Prefetch("requirements", queryset=requirements)
            )
            queryset = queryset.prefetch_related(Prefetch("areas", queryset=areas))
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return CatalogueVersionDetailSerializer
        return CatalogueVersionSerializer

    def get_serializer_context(self):
        in_force = catalogue_in_force(timezone.localdate())
        return {**super().get_serializer_context(), "in_force_id": in_force and in_force.pk}


class RequirementFilterForm(forms.Form):
    def clean_area(self):
        code = self.cleaned_data.get("area")
        if code and not Area.objects.filter(code=code).exists():
            raise forms.ValidationError(
                _("There is no area with the code %(code)s."), params={"code": code}
            )
        return code


class RequirementFilter(filters.FilterSet):
    version = filters.ModelChoiceFilter(
        queryset=CatalogueVersion.objects.all(),
        help_text="Catalogue version id; without it, the version in force today.",
    )
    area = filters.CharFilter(field_name="area__code", help_text="Area code, e.g. webbtidbok.")

    class Meta:
        model = Requirement
        fields = ["version", "area"]
        form = RequirementFilterForm

    def filter_queryset(self, queryset):
        if self.form.cleaned_data.get("version") is None:
            queryset = queryset.filter(version=catalogue_in_force(timezone.localdate()))
        return super().filter_queryset(queryset)


@extend_schema_view(
    list=extend_schema(
        description="The requirements of one catalogue version, in the catalogue's order."
    )
)
class RequirementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Requirement.objects.select_related("area").order_by("version", "position")
    serializer_class = RequirementSerializer
    filterset_class = RequirementFilter
