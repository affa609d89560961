"""The browser pages. Each view module owns its own URL patterns; this file joins them."""

from clinics.views import action_plans, cases, catalogue, clinic, home, reporting, review, rounds

urlpatterns = [
    *home.urlpatterns,
    *clinic.urlpatterns,
    *reporting.urlpatterns,
    *review.urlpatterns,
    *rounds.urlpatterns,
    *cases.urlpatterns,
    *catalogue.urlpatterns,
    *action_plans.urlpatterns,
]
