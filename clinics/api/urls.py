from django.urls import path
from rest_framework.routers import SimpleRouter

from clinics.api.views import ClinicComplianceView, ClinicViewSet, ProviderViewSet

router = SimpleRouter()
router.register("providers", ProviderViewSet, basename="provider")
router.register("clinics", ClinicViewSet, basename="clinic")

urlpatterns = [
    path("clinics/<int:pk>/compliance/", ClinicComplianceView.as_view(), name="clinic-compliance"),
    *router.urls,
]
