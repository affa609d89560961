"""SITHS sign-in is switched on by settings alone, and local accounts can be switched off
but for the superusers' emergency access; someone waiting for a role is seen by the region
admins on their start page."""

from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings
from django.urls import reverse

from clinics.models import NO_ROLE, Role, SignInMethod
from clinics.services.users import record_sign_in
from tests.factories import make_clinic, make_user
from tests.production_settings import production_env, run_python

PRINT_SIGN_IN = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.OIDC_ENABLED, s.OIDC_RP_CLIENT_SECRET, s.AUTHENTICATION_BACKENDS[-1], "
    "s.OIDC_ROLE_MAP, s.OIDC_REQUIRED_ACR)"
)


def test_without_oidc_settings_only_local_accounts_sign_in():
    result = run_python(PRINT_SIGN_IN, production_env())

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"
    assert "halland_utbud.signin.LocalAccountBackend" in result.stdout


def test_the_oidc_settings_come_from_the_environment_and_the_secret_from_a_file(tmp_path):
    secret = tmp_path / "oidc_secret"
    secret.write_text("from-a-file\n")
    env = production_env(
        OIDC_ISSUER="https://idp.example.se/oidc/",
        OIDC_CLIENT_ID="digitalt-utbud",
        OIDC_CLIENT_SECRET_FILE=str(secret),
        OIDC_REQUIRED_ACR="http://id.elegnamnden.se/loa/1.0/loa3",
        OIDC_ROLE_CLAIM="commissionRight",
        OIDC_ROLE_MAP='{"Granska": "reviewer"}',
    )

    result = run_python(PRINT_SIGN_IN, env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 3)[:3] == [
        "True",
        "from-a-file",
        "halland_utbud.oidc.SithsBackend",
    ]
    assert "{'Granska': 'reviewer'}" in result.stdout
    assert "loa3" in result.stdout


def test_an_issuer_without_a_client_secret_stops_the_start():
    result = run_python(PRINT_SIGN_IN, production_env(OIDC_ISSUER="https://idp.example.se"))

    assert result.returncode != 0
    assert "OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET" in result.stderr


def test_local_sign_in_cannot_be_switched_off_without_siths():
    result = run_python(PRINT_SIGN_IN, production_env(LOCAL_SIGN_IN="false"))

    assert result.returncode != 0
    assert "LOCAL_SIGN_IN=false needs OIDC_ISSUER" in result.stderr


def test_a_role_map_that_is_not_json_stops_the_start():
    env = production_env(OIDC_ROLE_CLAIM="groups", OIDC_ROLE_MAP="{reviewer}")
    result = run_python(PRINT_SIGN_IN, env)

    assert result.returncode != 0
    assert "OIDC_ROLE_MAP must be a JSON object" in result.stderr


def test_a_role_map_to_no_role_fails_the_system_check():
    from halland_utbud.oidc import check_role_map

    with override_settings(OIDC_ROLE_CLAIM="groups", OIDC_ROLE_MAP={"boss": "chief"}):
        errors = check_role_map()
    assert [error.id for error in errors] == ["halland_utbud.E001"]
    assert "'boss': 'chief'" in errors[0].msg


def password_sign_in(user) -> Client:
    client = Client()
    client.post(reverse("login"), {"username": user.username, "password": "ett-bra-losenord-42"})
    return client


@override_settings(LOCAL_SIGN_IN=False, OIDC_ENABLED=True)
def test_with_local_sign_in_off_only_superusers_sign_in_with_a_password(db):
    reviewer = make_user(Role.REVIEWER)
    admin = make_user(Role.REGION_ADMIN)

    assert SESSION_KEY not in password_sign_in(reviewer).session
    assert password_sign_in(admin).session[SESSION_KEY] == str(admin.pk)


@override_settings(LOCAL_SIGN_IN=False, OIDC_ENABLED=True)
def test_with_local_sign_in_off_a_local_session_ends(db):
    client = Client()
    client.force_login(make_user(Role.VIEWER))

    assert client.get(reverse("overview")).status_code == 302


@override_settings(LOCAL_SIGN_IN=False, OIDC_ENABLED=True)
def test_with_local_sign_in_off_the_page_offers_siths_and_hides_the_password_form(db):
    page = Client().get(reverse("login")).content.decode()

    assert reverse("oidc_sign_in") in page
    assert "<details" in page
    assert 'name="password"' in page


def test_the_region_admins_start_page_says_who_waits_for_a_role(db):
    make_user(NO_ROLE, hsa_id="SE2321000131-E000000000001")
    make_user(NO_ROLE, hsa_id="SE2321000131-E000000000002")
    make_user(NO_ROLE, is_active=False)
    admin = Client()
    admin.force_login(make_user(Role.REGION_ADMIN))

    page = admin.get(reverse("follow_up")).content.decode()

    assert "2 personer har loggat in och väntar på en roll." in page
    assert reverse("admin:clinics_user_changelist") + "?awaiting_role=yes" in page
    waiting = admin.get(reverse("admin:clinics_user_changelist"), {"awaiting_role": "yes"})
    assert "E000000000001" in waiting.content.decode()
    assert waiting.context["cl"].result_count == 2


def test_a_reviewers_start_page_does_not_say_who_waits(db):
    make_user(NO_ROLE)
    reviewer = Client()
    reviewer.force_login(make_user(Role.REVIEWER))

    assert "väntar på en roll" not in reviewer.get(reverse("follow_up")).content.decode()


def test_someone_with_a_role_is_sent_from_no_access_to_their_start_page(db):
    client = Client()
    client.force_login(make_user(Role.VIEWER))

    assert client.get(reverse("no_access"))["Location"] == reverse("home")


def test_someone_without_a_role_sees_nothing_else(db):
    make_clinic()
    client = Client()
    client.force_login(make_user(NO_ROLE))

    assert client.get(reverse("home"))["Location"] == reverse("no_access")
    assert client.get(reverse("overview")).status_code == 403
    assert client.get(reverse("api:clinic-list")).json()["count"] == 0


def test_the_users_admin_page_lists_their_sign_ins_with_the_level_of_assurance(db):
    person = make_user(NO_ROLE, hsa_id="SE2321000131-E000000000003")
    record_sign_in(
        user=person, method=SignInMethod.OIDC, acr="http://id.elegnamnden.se/loa/1.0/loa3"
    )
    admin = Client()
    admin.force_login(make_user(Role.REGION_ADMIN))

    page = admin.get(reverse("admin:clinics_user_change", args=[person.pk])).content.decode()

    assert "http://id.elegnamnden.se/loa/1.0/loa3" in page
    assert "SITHS (OpenID Connect)" in page
