"""Providers and one clinic's compliance over the API, read-only.

Who sees what comes from ``clinics.access`` alone; a clinic's compliance from its stored
timeline (``clinics.timeline.reads``), the same rows the region's overview counts. The
region-wide reads (the clinic list, the compliance matrix) are in ``followup.api``.
"""

from datetime import date

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinics import access
from clinics.api.serializers import (
    ClinicComplianceDetail,
    ClinicComplianceSerializer,
    ComplianceCatalogue,
    ProviderSerializer,
)
from clinics.forms.clinic import OnDateForm
from clinics.models import Answer, Clinic
from clinics.selectors import latest_approved_reports
from clinics.timeline.reads import compliance_on
from halland_utbud.api import read_query
from requirements.models import Area, Requirement
from requirements.selectors import catalogue_in_force, catalogue_rules

ON_DATE_PARAMETER = OpenApiParameter(
    "on_date",
    OpenApiTypes.DATE,
    description="Compliance as of this date (YYYY-MM-DD); default today.",
)


def compliance_date(request: Request) -> date:
    """The ``on_date`` query parameter, or today; a malformed date is a 400."""
    return read_query(request, OnDateForm).day()


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
        version = catalogue_in_force(on_date)
        if version is None:
            raise NotFound(
                _("No requirement catalogue is in force on %(date)s.") % {"date": on_date}
            )
        catalogue = ComplianceCatalogue(
            version=version,
            area_names={area.code: area.name for area in Area.objects.filter(version=version)},
            requirement_names={
                r.code: r.name for r in Requirement.objects.filter(version=version)
            },
        )
        compliance = compliance_on(clinic.pk, on_date, catalogue_rules(version))
        answers = Answer.objects.filter(
            report__in=latest_approved_reports(Clinic.objects.filter(pk=clinic.pk), on_date)
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
