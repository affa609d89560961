from django.urls import path
from rest_framework.routers import SimpleRouter

from followup.api.indicators import IndicatorListView, SnapshotListView
from followup.api.views import ClinicViewSet, ComplianceMatrixView

router = SimpleRouter()
router.register("clinics", ClinicViewSet, basename="clinic")

urlpatterns = [
    path("compliance/", ComplianceMatrixView.as_view(), name="compliance-matrix"),
    path("indicators/", IndicatorListView.as_view(), name="indicator-list"),
    path("snapshots/", SnapshotListView.as_view(), name="snapshot-list"),
    *router.urls,
]
