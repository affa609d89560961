"""The follow-up's pages."""

from django.urls import path

from followup import views

urlpatterns = [
    path("oversikt/", views.overview, name="overview"),
    path("oversikt/export.csv", views.export_csv, name="overview_export_csv"),
    path("oversikt/export.xlsx", views.export_xlsx, name="overview_export_xlsx"),
    path("oversikt/vardgivare/", views.provider_suggestions, name="provider_suggestions"),
]
