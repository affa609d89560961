from django.urls import path
from rest_framework.routers import SimpleRouter

from clinics.api.cases import CaseViewSet
from clinics.api.views import ClinicComplianceView, ProviderViewSet

router = SimpleRouter()
router.register("providers", ProviderViewSet, basename="provider")
router.register("cases", CaseViewSet, basename="case")

urlpatterns = [
    path("clinics/<int:pk>/compliance/", ClinicComplianceView.as_view(), name="clinic-compliance"),
    *router.urls,
]
