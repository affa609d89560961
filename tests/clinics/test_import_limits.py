"""What every import (the register's clinics, measured usage) refuses before it reads a
row: a file over the size limit, a file that holds control characters, an empty file.
Both imports share the reader in ``clinics.services.clinics_csv``; each is tested here
through its command and, for usage, its upload page."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from clinics.models import Clinic, Role
from clinics.services.clinics_csv import FileTooLarge, ImportRejected
from clinics.services.register import import_clinics_csv
from followup.models import Usage, UsageImport
from followup.usage import import_usage
from tests.clinics.test_import_clinics import csv_text, row
from tests.factories import make_clinic, make_user

LIMIT = 200
EMPTY = "The file is empty."
TOO_LARGE = "The file is larger than the 200\xa0bytes that an import accepts."
# The pages speak Swedish, the default language.
TOO_LARGE_SV = "Filen är större än de 200\xa0byte som en import tar emot."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def small_limit(settings):
    settings.IMPORT_MAX_BYTES = LIMIT


@pytest.fixture
def unread(monkeypatch):
    """A command that reads the file fails the test: the size alone must refuse it."""

    def read_bytes(self):
        raise AssertionError(f"{self} was read")

    monkeypatch.setattr(Path, "read_bytes", read_bytes)


def problems(caught) -> list[tuple[int, str, str]]:
    return [(p.line, p.column, p.reason) for p in caught.value.problems]


def control_character(code: str) -> str:
    return (
        f"The line holds the control character {code}, which an import does not accept "
        "(only tab, line feed and carriage return)."
    )


def usage_text(clinic, *values) -> str:
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    lines = [f"{clinic.hsa_id};{month:%Y-%m};video_visits;{value}" for value in values]
    return "\n".join(["hsa_id;month;measure;value", *lines]) + "\n"


# --- the clinic import ------------------------------------------------------------------


def test_a_nul_byte_in_a_name_is_refused_with_its_line_and_nothing_is_written(db):
    with pytest.raises(ImportRejected) as caught:
        import_clinics_csv(csv_text(row(1), row(2, name="Vårdcentralen\x00Prov")))
    assert problems(caught) == [(3, "", control_character("U+0000"))]
    assert not Clinic.objects.exists()


@pytest.mark.parametrize("character", ["\x1b", "\x0c", "\x7f", "\x85"])
def test_other_control_characters_are_refused_too(db, character):
    with pytest.raises(ImportRejected) as caught:
        import_clinics_csv(csv_text(row(1, name=f"Prov{character}")).encode())
    assert [(line, column) for line, column, _reason in problems(caught)] == [(2, "")]


def test_tabs_and_windows_line_endings_are_accepted(db):
    import_clinics_csv(csv_text(row(1, name="Vårdcentralen\tProv")).replace("\n", "\r\n"))
    assert Clinic.objects.get().name == "Vårdcentralen\tProv"


@pytest.mark.parametrize("content", ["", "\n", "\r\n", " \n\n"])
def test_an_empty_file_is_called_empty(db, content):
    with pytest.raises(ImportRejected) as caught:
        import_clinics_csv(content.encode())
    assert problems(caught) == [(1, "", EMPTY)]


def test_the_command_refuses_a_nul_byte_with_its_line(db, tmp_path):
    path = tmp_path / "mottagningar.csv"
    path.write_bytes(csv_text(row(1, name="Prov\x00")).encode())
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 error"):
        call_command("import_clinics", str(path), stderr=err)

    assert err.getvalue().strip() == f"line 2, column –: {control_character('U+0000')}"
    assert not Clinic.objects.exists()


def test_the_command_refuses_a_file_over_the_limit_before_reading_it(
    db, tmp_path, small_limit, unread
):
    path = tmp_path / "mottagningar.csv"
    path.write_text(csv_text(row(1), row(2)), encoding="utf-8")
    assert path.stat().st_size > LIMIT

    with pytest.raises(CommandError) as refused:
        call_command("import_clinics", str(path))

    assert str(refused.value) == TOO_LARGE
    assert not Clinic.objects.exists()


def test_the_command_calls_a_file_of_one_newline_empty(db, tmp_path):
    path = tmp_path / "mottagningar.csv"
    path.write_text("\n", encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_clinics", str(path), stderr=err)

    assert err.getvalue().strip() == f"line 1, column –: {EMPTY}"


def test_a_file_at_the_limit_is_read(db, settings):
    text = csv_text(row(1))
    settings.IMPORT_MAX_BYTES = len(text.encode())
    import_clinics_csv(text)
    assert Clinic.objects.count() == 1


def test_the_reader_refuses_a_stream_over_the_limit_itself(db, small_limit):
    with pytest.raises(FileTooLarge) as refused:
        import_clinics_csv(io.BytesIO(csv_text(row(1), row(2)).encode()))
    assert refused.value.message == TOO_LARGE


# --- the usage import -------------------------------------------------------------------


@pytest.fixture
def admin(db):
    return make_user(Role.REGION_ADMIN)


@pytest.fixture
def meeting(db):
    return make_clinic()


def test_a_nul_byte_in_a_usage_file_is_refused_with_its_line(admin, meeting):
    with pytest.raises(ImportRejected) as caught:
        import_usage(usage_text(meeting, 3, "4\x00"), actor=admin, file_name="u.csv")
    assert problems(caught) == [(3, "", control_character("U+0000"))]
    assert not UsageImport.objects.exists()


def test_the_usage_command_refuses_a_nul_byte_an_empty_file_and_one_over_the_limit(
    meeting, tmp_path, settings
):
    path = tmp_path / "usage.csv"
    for content, expected in [
        (usage_text(meeting, "3\x00"), f"line 2, column –: {control_character('U+0000')}"),
        ("\n", f"line 1, column –: {EMPTY}"),
    ]:
        path.write_text(content, encoding="utf-8")
        err = io.StringIO()
        with pytest.raises(CommandError):
            call_command("import_usage", str(path), stderr=err)
        assert err.getvalue().strip() == expected

    settings.IMPORT_MAX_BYTES = LIMIT
    path.write_text(usage_text(meeting, *range(20)), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("import_usage", str(path))
    assert str(refused.value) == TOO_LARGE
    assert not Usage.objects.exists()


def test_the_usage_command_does_not_read_a_file_over_the_limit(
    meeting, tmp_path, small_limit, unread
):
    path = tmp_path / "usage.csv"
    path.write_text(usage_text(meeting, *range(20)), encoding="utf-8")
    with pytest.raises(CommandError, match="larger than"):
        call_command("import_usage", str(path))


def _upload(client, admin, content: bytes):
    client.force_login(admin)
    return client.post(reverse("usage_import"), {"file": SimpleUploadedFile("usage.csv", content)})


def test_the_upload_page_refuses_a_file_over_the_limit_before_reading_it(
    client, admin, meeting, small_limit
):
    response = _upload(client, admin, usage_text(meeting, *range(20)).encode())

    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [TOO_LARGE_SV]
    assert response.context["problems"] == []
    assert not UsageImport.objects.exists()


def test_the_upload_page_names_the_limit(client, admin, small_limit):
    client.force_login(admin)
    assert "Högst 200\xa0byte." in client.get(reverse("usage_import")).content.decode()


def test_the_upload_page_lists_a_nul_byte_with_its_line(client, admin, meeting):
    response = _upload(client, admin, usage_text(meeting, 3, "4\x00").encode())

    assert response.status_code == 400
    assert [(p.line, p.column) for p in response.context["problems"]] == [(3, "")]
    assert "Raden innehåller styrtecknet U+0000" in response.content.decode()
    assert not UsageImport.objects.exists()


def test_the_upload_page_calls_a_file_of_one_newline_empty(client, admin):
    response = _upload(client, admin, b"\n")

    assert response.status_code == 400
    assert [p.reason for p in response.context["problems"]] == ["Filen är tom."]
