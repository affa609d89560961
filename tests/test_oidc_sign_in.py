"""Sign-in with SITHS eID over OpenID Connect, against a provider on 127.0.0.1
(tests/oidc_provider.py): the browser's way is driven with the test client, the app's own
calls (discovery, token, JWKS, userinfo) go to the provider over HTTP.

Someone new gets an account with no role and the "no access yet" page; a known person is
matched on their HSA-id; a mapped claim gives the role. A wrong audience, an expired token,
a bad signature, a state that is not ours and too low a level of assurance are each refused
with a page that says so, and nobody is signed in."""

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.html import escape

from clinics.models import NO_ROLE, ReportEvent, Role, SignIn, SignInMethod, User
from clinics.models.signed_history import SESSION_SIGN_IN
from halland_utbud.oidc import Refusal
from halland_utbud.sign_in_views import REFUSALS
from tests import oidc_provider
from tests.factories import make_provider, make_user

HSA_ID = "SE2321000131-E000000000001"
PERSON = {
    "employeeHsaId": HSA_ID,
    "given_name": "Karin",
    "family_name": "Lind",
    "email": "karin.lind@regionhalland.se",
    "acr": oidc_provider.LOA3,
}


@pytest.fixture(scope="module")
def provider():
    provider, server = oidc_provider.start()
    yield provider
    server.shutdown()


@pytest.fixture
def siths(provider, db):
    provider.sign_in_as(PERSON)
    with override_settings(**oidc_provider.settings_for(provider)):
        yield provider


def sign_in(client: Client, provider, query: dict | None = None) -> "HttpResponse":  # noqa: F821
    """Through the sign-in button, the provider and back to the callback, whose answer
    is returned (not followed)."""
    start = client.get(reverse("oidc_sign_in"), query or {})
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider.url}/authorize?")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    back = urlparse(at_provider.headers["Location"])
    assert back.path == reverse("oidc_callback")
    return client.get(f"{back.path}?{back.query}")


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


def assert_refused(response, reason: Refusal, client: Client) -> None:
    assert response.status_code == 403
    page = response.content.decode()
    assert escape(str(REFUSALS[reason])) in page
    assert 'class="site-header' in page  # in the site's frame
    assert signed_in_user(client) is None
    assert not SignIn.objects.exists()


def test_a_first_sign_in_creates_the_person_with_no_role_and_shows_no_access_yet(siths):
    make_user(Role.REGION_ADMIN, first_name="Anna", last_name="Admin", email="anna@rh.se")
    client = Client()

    response = sign_in(client, siths)

    assert response.status_code == 302
    landing = client.get(response["Location"], follow=True)
    assert landing.redirect_chain[-1][0] == reverse("no_access")
    page = landing.content.decode()
    assert "anna@rh.se" in page
    assert HSA_ID in page
    user = signed_in_user(client)
    assert (user.hsa_id, user.role, user.get_full_name()) == (HSA_ID, NO_ROLE, "Karin Lind")
    assert not user.has_usable_password()


def test_a_known_person_is_matched_on_their_hsa_id_and_keeps_their_role(siths):
    known = make_user(Role.REVIEWER, username="karin", hsa_id=HSA_ID)
    client = Client()

    response = sign_in(client, siths)

    assert response.status_code == 302
    assert signed_in_user(client) == known
    assert User.objects.filter(hsa_id=HSA_ID).count() == 1
    assert client.get(reverse("home"))["Location"] == reverse("follow_up")


def test_the_sign_in_goes_on_to_the_page_asked_for_and_never_elsewhere(siths):
    make_user(Role.VIEWER, hsa_id=HSA_ID)
    asked = sign_in(Client(), siths, {"next": reverse("overview")})
    outside = sign_in(Client(), siths, {"next": "https://elsewhere.example/"})

    assert asked["Location"] == reverse("overview")
    assert outside["Location"] == reverse("home")


def test_a_local_account_of_the_same_name_is_never_taken_over(siths):
    local = make_user(Role.REGION_ADMIN, username=HSA_ID)
    client = Client()

    assert_refused(sign_in(client, siths), Refusal.FAILED, client)
    local.refresh_from_db()
    assert (local.hsa_id, local.role) == ("", Role.REGION_ADMIN)


def test_a_sign_in_that_changes_nothing_adds_only_the_sign_ins_own_history_row(siths):
    sign_in(Client(), siths)
    user = User.objects.get(hsa_id=HSA_ID)
    rows = user.history.count()

    sign_in(Client(), siths)

    # Django's own save of last_login, as for every sign-in; the claims saved nothing.
    assert user.history.count() == rows + 1


def test_a_mapped_claim_gives_the_role_directly(siths):
    siths.sign_in_as({**PERSON, "commissionRight": ["Läsa", "Digitalt utbud;Granska"]})
    client = Client()
    with override_settings(
        OIDC_ROLE_CLAIM="commissionRight", OIDC_ROLE_MAP={"Digitalt utbud;Granska": "reviewer"}
    ):
        sign_in(client, siths)

    assert signed_in_user(client).role == Role.REVIEWER
    assert signed_in_user(client).history.first().role == Role.REVIEWER


def test_a_mapped_role_is_the_maps_word_at_every_sign_in_admin_rights_included(siths):
    known = make_user(Role.REGION_ADMIN, hsa_id=HSA_ID)
    siths.sign_in_as({**PERSON, "groups": "utbud-granskare"})
    with override_settings(
        OIDC_ROLE_CLAIM="groups", OIDC_ROLE_MAP={"utbud-granskare": "reviewer"}
    ):
        sign_in(Client(), siths)

    known.refresh_from_db()
    assert (known.role, known.is_staff, known.is_superuser) == (Role.REVIEWER, False, False)


def test_a_clinic_reporter_is_linked_to_the_provider_their_claim_names(siths):
    provider = make_provider(hsa_id="SE5565594230-AAAA")
    siths.sign_in_as(
        {**PERSON, "role": "reporter", "healthCareProviderHsaId": "SE5565594230-AAAA"}
    )
    client = Client()
    with override_settings(
        OIDC_ROLE_CLAIM="role",
        OIDC_ROLE_MAP={"reporter": "clinic_reporter"},
        OIDC_LINK_PROVIDER=True,
    ):
        sign_in(client, siths)

    assert list(signed_in_user(client).providers.all()) == [provider]


def test_the_sign_in_method_and_level_of_assurance_are_recorded(siths):
    client = Client()
    sign_in(client, siths)

    row = SignIn.objects.get()
    assert client.session[SESSION_SIGN_IN] == row.pk  # the session's level: its sign-in's
    assert (row.user.hsa_id, row.method, row.acr) == (
        HSA_ID,
        SignInMethod.OIDC,
        oidc_provider.LOA3,
    )


def test_what_the_person_then_does_keeps_the_sign_in_and_its_level(siths, catalogue, clinic):
    make_user(Role.CLINIC_REPORTER, hsa_id=HSA_ID, clinics=[clinic])
    client = Client()
    sign_in(client, siths)

    client.post(reverse("report_start", args=[clinic.pk]))

    event = ReportEvent.objects.get(report__clinic=clinic)
    assert (event.sign_in.method, event.sign_in.acr) == (SignInMethod.OIDC, oidc_provider.LOA3)
    assert event.report.history.get().history_sign_in == event.sign_in
    page = client.get(
        reverse("clinic_history", args=[clinic.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert f"SITHS (OpenID Connect) (level of assurance {oidc_provider.LOA3})" in page


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ({"aud": "another-service"}, Refusal.TOKEN),
        ({"iss": "https://another-provider.example"}, Refusal.TOKEN),
        ({"exp": True}, Refusal.TOKEN),
        ({"foreign_key": True}, Refusal.TOKEN),
        ({"state": True}, Refusal.STATE),
    ],
    ids=[
        "a wrong audience",
        "another issuer",
        "an expired token",
        "a bad signature",
        "a state not ours",
    ],
)
def test_an_answer_that_cannot_be_trusted_is_refused(siths, fault, reason):
    siths.faults = fault
    client = Client()
    assert_refused(sign_in(client, siths), reason, client)


def test_a_provider_clock_a_little_ahead_of_ours_is_no_refusal(siths):
    siths.faults = {"skew": 30}
    client = Client()

    assert sign_in(client, siths).status_code == 302
    assert signed_in_user(client).hsa_id == HSA_ID


def test_a_callback_without_a_sign_in_started_is_refused(siths):
    client = Client()
    response = client.get(reverse("oidc_callback"), {"code": "abc", "state": "xyz"})
    assert_refused(response, Refusal.STATE, client)


def test_too_low_a_level_of_assurance_is_refused_when_one_is_required(siths):
    siths.sign_in_as({**PERSON, "acr": oidc_provider.LOA2})
    client = Client()
    with override_settings(OIDC_REQUIRED_ACR=[oidc_provider.LOA3]):
        start = client.get(reverse("oidc_sign_in"))
        assert parse_qs(urlparse(start["Location"]).query)["acr_values"] == [oidc_provider.LOA3]
        assert_refused(sign_in(client, siths), Refusal.ACR, client)
    assert not User.objects.exists()


def test_a_missing_or_invalid_hsa_id_is_refused(siths):
    siths.sign_in_as({**PERSON, "employeeHsaId": "karin@example.se"})
    client = Client()
    assert_refused(sign_in(client, siths), Refusal.NO_HSA_ID, client)


def test_a_switched_off_account_is_refused(siths):
    make_user(Role.REVIEWER, hsa_id=HSA_ID, is_active=False)
    client = Client()
    assert_refused(sign_in(client, siths), Refusal.INACTIVE, client)


def test_a_refusal_at_the_provider_is_told(siths):
    client = Client()
    client.get(reverse("oidc_sign_in"))
    state = next(iter(client.session["oidc_states"]))
    response = client.get(reverse("oidc_callback"), {"error": "access_denied", "state": state})
    assert_refused(response, Refusal.PROVIDER_ERROR, client)


def test_a_provider_that_cannot_be_reached_is_told(db):
    client = Client()
    with override_settings(
        **oidc_provider.settings_for(oidc_provider.Provider(url="http://127.0.0.1:9"))
    ):
        assert_refused(client.get(reverse("oidc_sign_in")), Refusal.UNREACHABLE, client)


def test_sign_out_ends_the_session_at_the_provider_too(siths):
    client = Client()
    sign_in(client, siths)

    response = client.post(reverse("logout"))

    end_session = urlparse(response["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}{end_session.path}" == (
        f"{siths.url}/logout"
    )
    query = parse_qs(end_session.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver" + reverse("login")]
    assert query["id_token_hint"][0].count(".") == 2
    assert signed_in_user(client) is None


def test_a_password_session_signs_out_here_only(siths):
    client = Client()
    client.force_login(make_user(Role.VIEWER))
    assert client.post(reverse("logout"))["Location"] == reverse("login")


def test_siths_sessions_end_after_the_idle_timeout_too(siths, settings):
    client = Client()
    sign_in(client, siths)
    session = client.session
    session["halland_utbud.last_active_at"] -= settings.SESSION_IDLE_TIMEOUT_SECONDS + 1
    session.save()

    response = client.get(reverse("overview"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert signed_in_user(client) is None


def test_without_oidc_settings_the_siths_pages_do_not_exist(db):
    client = Client()
    assert client.get(reverse("oidc_sign_in")).status_code == 404
    assert client.get(reverse("oidc_callback"), {"code": "a", "state": "b"}).status_code == 404
    assert "siths" not in client.get(reverse("login")).content.decode().lower()
