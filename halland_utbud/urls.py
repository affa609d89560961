from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView

from halland_utbud import views
from halland_utbud.api_views import ApiDocsView, ApiRootView
from halland_utbud.health import healthz, readyz
from halland_utbud.sign_in_views import (
    SignInView,
    SignOutView,
    SithsSignInCallback,
    SithsSignInStart,
)

admin.site.site_header = _("Digital offering – Region Halland")
admin.site.site_title = _("Digital offering")
admin.site.index_title = _("Register and requirement catalogue")

api_v1 = [
    path("", ApiRootView.as_view(), name="root"),
    path("", include("requirements.api.urls")),
    path("", include("clinics.api.urls")),
    path("", include("followup.api.urls")),
    path("schema/", SpectacularAPIView.as_view(api_version="1"), name="schema"),
    path("docs/", ApiDocsView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", include("clinics.urls")),
    path("", include("followup.urls")),
    path("logga-in/", SignInView.as_view(), name="login"),
    path("logga-in/siths/", SithsSignInStart.as_view(), name="oidc_sign_in"),
    path("logga-in/siths/svar/", SithsSignInCallback.as_view(), name="oidc_callback"),
    path("logga-ut/", SignOutView.as_view(), name="logout"),
    path("admin/login/", views.admin_login),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
