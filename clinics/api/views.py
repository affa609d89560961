"""Providers, clinics and their compliance over the API, read-only.

Who sees what comes from ``clinics.access`` alone; compliance from
``clinics.selectors.compliance_for_clinics``, evaluated once per page (or once per
request) so that a page of 500 clinics costs the same number of queries as a page of 5.
"""

from datetime import date

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinics import access
from clinics.api.filters import ClinicFilter, compliance_date
from clinics.api.serializers import (
    ClinicComplianceDetail,
    ClinicComplianceSerializer,
    ClinicSerializer,
    ComplianceCatalogue,
    ProviderSerializer,
)
from clinics.models import Answer, Clinic, Report
from clinics.selectors import compliance_for_clinics, latest_approved_reports
from requirements.compliance import CatalogueRules
from requirements.models import Area, Requirement
from requirements.selectors import catalogue_in_force, catalogue_rules

ON_DATE_PARAMETER = OpenApiParameter(
    "on_date",
    OpenApiTypes.DATE,
    description="Compliance as of this date (YYYY-MM-DD); default today.",
)


class ProviderViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProviderSerializer

    def get_queryset(self):
        user = self.request.user
        visible_clinics = access.visible_clinics(user)
        return (
            access.visible_providers(user)
            .annotate(clinic_count=Count("clinics", filter=Q(clinics__in=visible_clinics)))
            .order_by("name", "pk")
        )


def _catalogue_for(
    on_date: date, *, requirement_names: bool = False
) -> tuple[ComplianceCatalogue, CatalogueRules] | tuple[None, None]:
    """The catalogue version in force on ``on_date`` as rules, and its names for output."""
    version = catalogue_in_force(on_date)
    if version is None:
        return None, None
    catalogue = ComplianceCatalogue(
        version=version,
        area_names={area.code: area.name for area in Area.objects.filter(version=version)},
        requirement_names=(
            {r.code: r.name for r in Requirement.objects.filter(version=version)}
            if requirement_names
            else {}
        ),
    )
    return catalogue, catalogue_rules(version)


def _compliance_context(clinic_ids: list[int], on_date: date) -> dict:
    catalogue, rules = _catalogue_for(on_date)
    if catalogue is None:
        return {"catalogue": None, "compliance": {}}
    # The ids come from a queryset of access.visible_clinics, already paginated.
    clinics = Clinic.objects.filter(pk__in=clinic_ids)
    return {"catalogue": catalogue, "compliance": compliance_for_clinics(clinics, on_date, rules)}


def _latest_report_state() -> Subquery:
    latest = Report.objects.filter(clinic=OuterRef("pk")).order_by("-created_at", "-pk")
    return Subquery(latest.values("state")[:1])


@extend_schema_view(
    list=extend_schema(parameters=[ON_DATE_PARAMETER]),
    retrieve=extend_schema(parameters=[ON_DATE_PARAMETER]),
)
class ClinicViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ClinicSerializer
    filterset_class = ClinicFilter

    def get_queryset(self):
        return (
            access.visible_clinics(self.request.user)
            .select_related("provider")
            .annotate(report_state=_latest_report_state())
            .order_by("name", "pk")
        )

    def list(self, request: Request, *args, **kwargs) -> Response:
        on_date = compliance_date(request)
        clinics = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = _compliance_context([clinic.pk for clinic in clinics], on_date)
        serializer = ClinicSerializer(
            clinics, many=True, context={**self.get_serializer_context(), **context}
        )
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        # The list's filters do not apply to one clinic: no filter_queryset here.
        clinic = generics.get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        context = _compliance_context([clinic.pk], compliance_date(request))
        serializer = ClinicSerializer(clinic, context={**self.get_serializer_context(), **context})
        return Response(serializer.data)


class ClinicComplianceView(APIView):
    @extend_schema(
        parameters=[ON_DATE_PARAMETER],
        responses=ClinicComplianceSerializer,
        description=(
            "The clinic's compliance with each requirement of the catalogue version in "
            "force on on_date, with the answer from its latest report approved by then. "
            "404 when the clinic is not yours to see or no catalogue is in force on on_date."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        clinic = access.get_clinic_for_user(request.user, pk)
        on_date = compliance_date(request)
        catalogue, rules = _catalogue_for(on_date, requirement_names=True)
        if catalogue is None:
            raise NotFound(
                _("No requirement catalogue is in force on %(date)s.") % {"date": on_date}
            )
        clinics = Clinic.objects.filter(pk=clinic.pk)
        compliance = compliance_for_clinics(clinics, on_date, rules)[clinic.pk]
        answers = Answer.objects.filter(
            report__in=latest_approved_reports(clinics, on_date)
        ).select_related("requirement")
        serializer = ClinicComplianceSerializer(
            ClinicComplianceDetail(clinic=clinic, compliance=compliance),
            context={
                "request": request,
                "catalogue": catalogue,
                "answers": {answer.requirement.code: answer for answer in answers},
            },
        )
        return Response(serializer.data)
