"""Errors in the page frame: 403, 404, 500, a refused form and a too long request are pages
of the app, in the user's language, with a way back; the admin refuses a non-admin
without a redirect loop; the API answers at its root and its docs say how to authorize."""

import pytest
from django.test import Client, RequestFactory
from django.urls import path, reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from clinics.models import Role
from halland_utbud import urls as project_urls
from halland_utbud import views
from halland_utbud.errors import NotAllowed
from tests.api.helpers import client_for, token_client_for
from tests.factories import make_user


def _boom(request):
    raise RuntimeError("a bug")


def _not_allowed(request):
    raise NotAllowed("Only reviewers may decide on reports.")


# The project's URLs and error handlers, and two views that fail on purpose.
urlpatterns = [
    path("test/boom/", _boom),
    path("test/not-allowed/", _not_allowed),
    *project_urls.urlpatterns,
]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500


def in_swedish(message: str) -> str:
    with translation.override("sv"):
        return translation.gettext(message)


def in_english(message: str) -> str:
    with translation.override("en"):
        return translation.gettext(message)


def assert_in_the_frame(response, heading: str) -> None:
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert '<main id="main"' in html
    assert 'class="site-footer"' in html
    assert f"<h1>{heading}</h1>" in html
    assert f'href="{reverse("home")}"' in html, "a way back to the start page"


# --- 404 ------------------------------------------------------------------------------------


def test_a_missing_page_is_a_swedish_404_in_the_frame(client, reviewer):
    client.force_login(reviewer)

    response = client.get("/finns-inte/")

    assert response.status_code == 404
    assert_in_the_frame(response, in_swedish("The page was not found"))
    assert in_swedish("Go to the start page") in response.content.decode()
    assert 'aria-label="' + in_swedish("Main") in response.content.decode(), "with the nav"


def test_a_missing_page_is_english_for_an_english_reader(client, db):
    response = client.get("/finns-inte/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response.headers["Content-Language"] == "en"
    assert_in_the_frame(response, "The page was not found")
    assert "Go to the start page" in response.content.decode()


def test_a_clinic_the_user_may_not_see_is_the_framed_404(client, clinic, other_clinic):
    client.force_login(make_user(Role.CLINIC_REPORTER, clinics=[clinic]))

    response = client.get(reverse("clinic_detail", args=[other_clinic.pk]))

    assert response.status_code == 404
    assert_in_the_frame(response, in_swedish("The page was not found"))


# --- 403 ------------------------------------------------------------------------------------


def test_a_page_of_another_role_is_a_swedish_403_in_the_frame(client, db):
    client.force_login(make_user(Role.VIEWER))

    response = client.get(reverse("round_list"))

    assert response.status_code == 403
    assert_in_the_frame(response, in_swedish("You do not have access"))
    assert in_swedish("Your account does not have access to this page.") in (
        response.content.decode()
    )


def test_the_403_is_english_for_an_english_reader(client, db):
    client.force_login(make_user(Role.VIEWER))

    response = client.get(reverse("round_list"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    assert_in_the_frame(response, "You do not have access")


@pytest.mark.urls(__name__)
def test_a_refusal_of_the_access_rules_shows_its_reason(client, reviewer):
    client.force_login(reviewer)

    response = client.get("/test/not-allowed/")

    assert response.status_code == 403
    assert_in_the_frame(response, in_swedish("You do not have access"))
    assert "Only reviewers may decide on reports." in response.content.decode()


# --- 500 ------------------------------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_a_bug_is_a_swedish_500_in_the_frame(db):
    client = Client(raise_request_exception=False)

    response = client.get("/test/boom/")

    assert response.status_code == 500
    assert_in_the_frame(response, in_swedish("Something went wrong"))


def test_the_500_page_asks_nothing_of_the_database():
    """It must render when the database is down: no user, no navigation, no query (this
    test has no database: pytest-django refuses every query, as a database that is down)."""

    def who_is_it():
        raise AssertionError("the 500 page looked up the user")

    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE="en")
    request.user = SimpleLazyObject(who_is_it)
    with translation.override("en"):
        response = views.server_error(request)

    assert response.status_code == 500
    assert_in_the_frame(response, "Something went wrong")


# --- A refused form (CSRF) ------------------------------------------------------------------


def test_a_form_without_its_security_token_is_refused_in_the_frame(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert_in_the_frame(response, in_swedish("The form could not be sent"))


def test_the_refused_form_page_is_english_for_an_english_reader(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    assert_in_the_frame(response, "The form could not be sent")


# --- A request too big to read --------------------------------------------------------------


def test_a_request_too_big_to_read_says_the_text_was_too_long(reporter):
    # As in production, the CSRF check is the first to read the body.
    client = Client(enforce_csrf_checks=True)
    client.force_login(reporter)
    client.get(reverse("my_clinics"))  # the CSRF cookie
    # 1.5 million characters, as a pasted text: far above DATA_UPLOAD_MAX_MEMORY_SIZE.
    response = client.post(reverse("my_clinics"), {"comment": "å" * 1_500_000})

    assert response.status_code == 413
    assert_in_the_frame(response, in_swedish("The text was too long"))
    assert in_swedish("What you sent was too long to be received, and nothing was saved.") in (
        response.content.decode()
    )


# --- The admin ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER, Role.CLINIC_REPORTER])
def test_the_admin_refuses_a_signed_in_non_admin_with_a_403_not_a_loop(client, db, role):
    client.force_login(make_user(role))

    response = client.get(reverse("admin:index"), follow=True)

    assert response.status_code == 403
    assert len(response.redirect_chain) == 1, response.redirect_chain
    assert_in_the_frame(response, in_swedish("You do not have access"))
    assert in_swedish("The administration is only for region administrators.") in (
        response.content.decode()
    )


def test_the_admin_sends_an_anonymous_user_to_sign_in(client, db):
    response = client.get(reverse("admin:index"), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(reverse("login") + "?next=")
    assert response.resolver_match.url_name == "login"


def test_a_region_admin_at_the_admins_sign_in_goes_on_to_the_admin(client, region_admin):
    client.force_login(region_admin)

    response = client.get(reverse("admin:login") + "?next=https://elsewhere.example/")

    assert response.status_code == 302
    assert response.url == reverse("admin:index"), "never to another host"


# --- The API's root and docs ----------------------------------------------------------------

API_ROOT = "/api/v1/"


def test_the_api_root_lists_the_endpoints_to_a_token_holder(db):
    response = token_client_for(make_user(Role.VIEWER)).get(API_ROOT)

    assert response.status_code == 200
    endpoints = response.json()
    for name in ("clinics", "providers", "cases", "catalogue/versions", "compliance", "schema"):
        assert endpoints[name].startswith("http://testserver/api/v1/"), name
    assert endpoints["docs"] == "http://testserver/api/v1/docs/"
    # Each address answers.
    client = token_client_for(make_user(Role.VIEWER))
    assert client.get(endpoints["clinics"]).status_code == 200


def test_the_api_root_refuses_anonymous_as_every_endpoint_does(client, db):
    response = client.get(API_ROOT)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


def test_the_docs_tell_someone_without_a_session_how_to_authorize(client, db):
    response = client.get(reverse("api:docs"))

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert_in_the_frame(response, in_swedish("API documentation"))
    html = response.content.decode()
    assert "Authorization: Token &lt;" in html
    assert reverse("api:schema") in html
    assert "Authorize" in html
    # Where a key comes from.
    assert reverse("api_tokens") in html


def test_the_docs_show_swagger_ui_to_a_token_holder(db):
    response = token_client_for(make_user(Role.VIEWER)).get(reverse("api:docs"))

    assert response.status_code == 200
    assert "swagger-ui" in response.content.decode()


def test_the_schema_says_how_to_authorize(db):
    response = client_for(make_user(Role.VIEWER)).get(
        reverse("api:schema"), HTTP_ACCEPT="application/json"
    )

    schema = response.json()
    description = schema["info"]["description"]
    assert "Authorization: Token <key>" in description
    # Where a key comes from, and that it ends.
    assert reverse("api_tokens") in description
    assert "API_TOKEN_TTL_DAYS" in description
    assert "knoxApiToken" in description
    assert "knoxApiToken" in schema["components"]["securitySchemes"]
