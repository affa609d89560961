from django.urls import path
from rest_framework.routers import SimpleRouter

from followup.api.views import ClinicViewSet, ComplianceMatrixView

router = SimpleRouter()
router.register("clinics", ClinicViewSet, basename="clinic")

urlpatterns = [
    path("compliance/", ComplianceMatrixView.as_view(), name="compliance-matrix"),
    *router.urls,
]
