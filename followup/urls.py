"""The follow-up's pages."""

from django.urls import path

from followup.views import (
    clinic_indicators,
    exemptions,
    follow_up,
    overview,
    recomputes,
    targets,
    usage,
)

urlpatterns = [
    path("oversikt/", overview.overview, name="overview"),
    path("oversikt/export.csv", overview.export_csv, name="overview_export_csv"),
    path("oversikt/export.xlsx", overview.export_xlsx, name="overview_export_xlsx"),
    path("oversikt/vardgivare/", overview.provider_suggestions, name="provider_suggestions"),
    path("uppfoljning/", follow_up.follow_up_page, name="follow_up"),
    path("uppfoljning/omberakning/", recomputes.recompute_start, name="recompute_start"),
    path(
        "uppfoljning/omberakning/<int:pk>/", recomputes.recompute_detail, name="recompute_detail"
    ),
    path(
        "uppfoljning/omberakning/<int:pk>/status/",
        recomputes.recompute_status,
        name="recompute_status",
    ),
    path("uppfoljning/undantag/", exemptions.exemption_list, name="exemption_list"),
    path("uppfoljning/undantag/export.csv", exemptions.export_csv, name="exemption_export_csv"),
    path("uppfoljning/undantag/export.xlsx", exemptions.export_xlsx, name="exemption_export_xlsx"),
    path("uppfoljning/anvandning/", usage.usage_import_page, name="usage_import"),
    path("uppfoljning/mal/", targets.target_list, name="target_list"),
    path("uppfoljning/mal/nytt/", targets.target_create, name="target_create"),
    path("uppfoljning/mal/<int:pk>/", targets.target_edit, name="target_edit"),
    path("uppfoljning/mal/<int:pk>/ta-bort/", targets.target_delete, name="target_delete"),
    path(
        "mottagningar/<int:pk>/indikatorer/ny/",
        clinic_indicators.clinic_indicator_create,
        name="clinic_indicator_create",
    ),
    path(
        "mottagningar/<int:pk>/indikatorer/<int:indicator_pk>/",
        clinic_indicators.clinic_indicator_detail,
        name="clinic_indicator_detail",
    ),
    path(
        "mottagningar/<int:pk>/indikatorer/<int:indicator_pk>/varde/",
        clinic_indicators.clinic_indicator_report,
        name="clinic_indicator_report",
    ),
]
