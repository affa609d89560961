from django.urls import path

from clinics.api.cases import CaseViewSet
from clinics.api.views import ClinicComplianceView, ProviderViewSet
from halland_utbud.api import Router

router = Router()
router.register("providers", ProviderViewSet, basename="provider")
router.register("cases", CaseViewSet, basename="case")

urlpatterns = [
    path("clinics/<id:pk>/compliance/", ClinicComplianceView.as_view(), name="clinic-compliance"),
    *router.urls,
]
