"""The browser pages. Each view module owns its own URL patterns; this file joins them."""

from clinics.views import (
    action_plans,
    api_tokens,
    bulk_reporting,
    cases,
    catalogue,
    clinic,
    home,
    notifications,
    reporting,
    review,
    rounds,
)

urlpatterns = [
    *home.urlpatterns,
    *clinic.urlpatterns,
    *reporting.urlpatterns,
    *bulk_reporting.urlpatterns,
    *review.urlpatterns,
    *rounds.urlpatterns,
    *cases.urlpatterns,
    *catalogue.urlpatterns,
    *notifications.urlpatterns,
    *action_plans.urlpatterns,
    *api_tokens.urlpatterns,
]
