"""createuser: one account per person or system, with its role and what it reports for."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from clinics.models import ApiToken, Role, User
from tests.api.helpers import key_client
from tests.factories import make_clinic, make_provider, make_user

PASSWORD = "ett-langt-losenord-2026"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, the msgid language; Swedish comes from the .po."""
    with translation.override("en"):
        yield


def createuser(*args: str, **options) -> str:
    out = io.StringIO()
    call_command("createuser", *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER])
def test_it_creates_a_reviewer_or_viewer_without_admin_rights(db, role):
    output = createuser("anna", "--role", role, "--password", PASSWORD, "--email", "a@rh.se")

    user = User.objects.get(username="anna")
    assert (user.role, user.email, user.is_staff, user.is_superuser) == (
        role,
        "a@rh.se",
        False,
        False,
    )
    assert user.check_password(PASSWORD)
    assert "User anna was created with the role" in output


def test_a_region_admin_also_gets_the_django_admin(db):
    createuser("admin", "--role", Role.REGION_ADMIN, "--password", PASSWORD)

    user = User.objects.get(username="admin")
    assert (user.role, user.is_staff, user.is_superuser) == (Role.REGION_ADMIN, True, True)


def test_a_clinic_reporter_is_linked_to_the_clinics_given(db):
    first, second, other = make_clinic(), make_clinic(), make_clinic()

    createuser(
        "rapp", "--role", Role.CLINIC_REPORTER, "--password", PASSWORD,
        "--clinic", first.hsa_id, "--clinic", second.hsa_id,
    )  # fmt: skip

    user = User.objects.get(username="rapp")
    assert set(user.clinics.all()) == {first, second}
    assert other not in user.clinics.all()


def test_a_provider_coordinator_is_linked_to_the_provider_by_organisation_number(db):
    provider = make_provider(organisation_number="559000-0005")

    createuser(
        "samordnare", "--role", Role.CLINIC_REPORTER, "--password", PASSWORD,
        "--provider", "5590000005",
    )  # fmt: skip

    assert list(User.objects.get(username="samordnare").providers.all()) == [provider]


def test_token_prints_once_a_key_that_reads_the_api_on_a_line_of_its_own(db):
    output = createuser("budget", "--role", Role.VIEWER, "--no-password", "--token")

    key = output.strip().splitlines()[-1]
    response = key_client(key).get("/api/v1/clinics/")
    assert response.status_code == 200
    assert response.wsgi_request.user.username == "budget"
    user = User.objects.get(username="budget")
    assert not user.has_usable_password()
    # Shown this once: the database keeps only its digest, under the default name.
    token = user.auth_token_set.get()
    assert token.name == "createuser"
    assert key not in repr(list(ApiToken.objects.values_list()))
    assert "valid until" in output


def test_token_name_names_the_key(db):
    createuser(
        "budget", "--role", Role.VIEWER, "--no-password", "--token",
        "--token-name", "Budgetsystemet",
    )  # fmt: skip

    assert User.objects.get(username="budget").auth_token_set.get().name == "Budgetsystemet"


def test_without_password_it_asks_twice_and_validates_the_answer(db, monkeypatch):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    createuser("per", "--role", Role.VIEWER, stdin=Terminal())

    assert User.objects.get(username="per").check_password(PASSWORD)


def test_two_different_passwords_at_the_prompt_create_nothing(db, monkeypatch):
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    with pytest.raises(CommandError, match="differ"):
        createuser("per", "--role", Role.VIEWER, stdin=Terminal())
    assert not User.objects.filter(username="per").exists()


def test_a_weak_password_is_refused_by_the_password_validators(db):
    with pytest.raises(CommandError, match="too short"):
        createuser("per", "--role", Role.VIEWER, "--password", "abc123")
    assert not User.objects.filter(username="per").exists()


def test_without_a_terminal_a_password_option_is_required(db):
    with pytest.raises(CommandError, match="--password"):
        createuser("per", "--role", Role.VIEWER, stdin=io.StringIO())


def test_an_unknown_clinic_is_an_error_and_creates_nothing(db):
    known = make_clinic()

    with pytest.raises(CommandError, match="SE2321000115-X99999"):
        createuser(
            "rapp", "--role", Role.CLINIC_REPORTER, "--password", PASSWORD,
            "--clinic", known.hsa_id, "--clinic", "SE2321000115-X99999",
        )  # fmt: skip
    assert not User.objects.filter(username="rapp").exists()


def test_an_unknown_provider_is_an_error_and_creates_nothing(db):
    with pytest.raises(CommandError, match="559000-0005"):
        createuser(
            "rapp", "--role", Role.CLINIC_REPORTER, "--password", PASSWORD,
            "--provider", "559000-0005",
        )  # fmt: skip
    assert not User.objects.filter(username="rapp").exists()


def test_a_reporter_without_clinic_or_provider_is_an_error(db):
    with pytest.raises(CommandError, match="at least one clinic or provider"):
        createuser("rapp", "--role", Role.CLINIC_REPORTER, "--password", PASSWORD)
    assert not User.objects.filter(username="rapp").exists()


def test_only_a_reporter_may_be_linked_to_clinics(db):
    clinic = make_clinic()

    with pytest.raises(CommandError, match="Only a clinic reporter"):
        createuser("v", "--role", Role.VIEWER, "--password", PASSWORD, "--clinic", clinic.hsa_id)
    assert not User.objects.filter(username="v").exists()


def test_an_existing_username_is_an_error(db):
    make_user(Role.VIEWER, username="anna")

    with pytest.raises(CommandError, match="already a user named Anna"):
        createuser("Anna", "--role", Role.REVIEWER, "--password", PASSWORD)
    assert User.objects.filter(username__iexact="anna").count() == 1
