from django.urls import path

from followup.api.clinic_indicators import ClinicIndicatorListView
from followup.api.indicators import IndicatorListView, SnapshotListView
from followup.api.targets import TargetListView
from followup.api.usage import UsageListView
from followup.api.views import ClinicViewSet, ComplianceMatrixView
from halland_utbud.api import Router

router = Router()
router.register("clinics", ClinicViewSet, basename="clinic")

urlpatterns = [
    path("compliance/", ComplianceMatrixView.as_view(), name="compliance-matrix"),
    path("indicators/", IndicatorListView.as_view(), name="indicator-list"),
    path("snapshots/", SnapshotListView.as_view(), name="snapshot-list"),
    path("targets/", TargetListView.as_view(), name="target-list"),
    path("usage/", UsageListView.as_view(), name="usage-list"),
    path(
        "clinics/<id:pk>/indicators/",
        ClinicIndicatorListView.as_view(),
        name="clinic-indicator-list",
    ),
    *router.urls,
]
