"""The headers that keep what the app shows where it belongs: a Content-Security-Policy
with no inline script or style, a Permissions-Policy, ``no-store`` on everything shown to
someone signed in and on every API answer, and HTTPS only in production."""

import re

import pytest
from django.urls import reverse

from clinics.models import Role
from tests.api.helpers import client_for, token_client_for
from tests.factories import make_user
from tests.production_settings import production_env, production_setting, run_manage


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.fixture
def admin(db):
    return make_user(Role.REGION_ADMIN)


# --- Content-Security-Policy -------------------------------------------------------------


def test_every_page_has_a_policy_that_allows_no_inline_script_or_style(client, db):
    response = client.get(reverse("login"))

    directives = _directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_a_signed_in_page_has_the_policy_and_no_inline_script_or_style(client, admin):
    client.force_login(admin)

    response = client.get(reverse("overview"))

    assert response.status_code == 200
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), "an inline script"
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)


def test_the_browsable_api_has_no_inline_style_or_script_under_the_policy(client, admin):
    client.force_login(admin)

    response = client.get(reverse("api:provider-list"), HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    html = response.content.decode()
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    # Only data for the page's own script file (the CSRF token), which is never run.
    inline = re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html)
    assert inline == ['<script type="application/json" id="drf_csrf">']


def test_the_api_docs_have_their_own_policy_and_their_script_from_a_file(admin):
    client = client_for(admin)

    page = client.get(reverse("api:docs"))

    assert page.status_code == 200
    directives = _directives(page)
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["script-src"] == ["'self'"]
    html = page.content.decode()
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), "an inline script"
    start_script = re.search(r'<script src="([^"]*\?[^"]*script=[^"]*)"', html)[1]
    script = client.get(start_script.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


# --- Permissions-Policy ------------------------------------------------------------------


def test_browser_features_the_app_never_uses_are_switched_off(client, db):
    response = client.get(reverse("login"))

    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


# --- Cache-Control -----------------------------------------------------------------------


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_a_page_shown_to_someone_signed_in_is_not_stored(client, admin):
    client.force_login(admin)

    response = client.get(reverse("overview"))

    assert response.status_code == 200
    assert _no_store(response)
    assert "private" in response["Cache-Control"]


def test_an_export_is_not_stored(client, admin):
    client.force_login(admin)

    response = client.get(reverse("overview_export_csv"))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert _no_store(response)


def test_an_api_answer_to_a_token_is_not_stored(admin):
    response = token_client_for(admin).get(reverse("api:root"))

    assert response.status_code == 200
    assert _no_store(response)


def test_an_api_refusal_is_not_stored_either(client, db):
    response = client.get(reverse("api:root"))

    assert response.status_code in (401, 403)
    assert _no_store(response)


def test_a_public_page_and_the_sign_in_page_assets_may_be_cached(client, db):
    # The sign-in page itself is Django's never_cache; what it loads is not.
    page = client.get(reverse("accessibility"))
    stylesheet = client.get("/static/css/app.css")

    assert page.status_code == 200
    assert not _no_store(page)
    assert stylesheet.status_code == 200
    assert not _no_store(stylesheet)
    assert "Content-Security-Policy" not in stylesheet  # WhiteNoise answers before it


def test_static_files_keep_their_cache_for_someone_signed_in_too(client, admin):
    client.force_login(admin)

    assert not _no_store(client.get("/static/css/app.css"))


# --- HTTPS in production -----------------------------------------------------------------


def test_a_secure_request_is_told_to_stay_on_https_for_a_year(client, db):
    response = client.get(reverse("login"), secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_production_redirects_http_but_not_the_health_checks(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True  # production's default (tests.settings turns it off)

    redirected = client.get(reverse("login"))

    assert redirected.status_code == 301
    assert redirected["Location"].startswith("https://")
    assert client.get(reverse("healthz")).status_code == 200


def test_production_turns_on_https_hsts_and_secure_cookies():
    env = production_env()

    assert production_setting("SECURE_SSL_REDIRECT", env) == "True"
    assert production_setting("SECURE_HSTS_SECONDS", env) == "31536000"
    assert production_setting("SECURE_HSTS_INCLUDE_SUBDOMAINS", env) == "True"
    assert production_setting("SECURE_HSTS_PRELOAD", env) == "True"
    assert production_setting("SESSION_COOKIE_SECURE", env) == "True"
    assert production_setting("CSRF_COOKIE_SECURE", env) == "True"


def test_development_does_not_force_https():
    env = production_env(DEBUG="true")

    assert production_setting("SECURE_SSL_REDIRECT", env) == "False"
    assert production_setting("SECURE_HSTS_SECONDS", env) == "0"


def test_the_forwarded_protocol_is_believed_only_behind_a_named_proxy():
    assert production_setting("SECURE_PROXY_SSL_HEADER", production_env()) == "None"
    behind_proxy = production_env(TRUSTED_PROXY="10.0.0.5")
    assert production_setting("SECURE_PROXY_SSL_HEADER", behind_proxy) == (
        "('HTTP_X_FORWARDED_PROTO', 'https')"
    )


def test_the_deployment_check_gives_no_warning_with_production_settings():
    result = run_manage("check", "--deploy", env=production_env())

    assert result.returncode == 0, result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
