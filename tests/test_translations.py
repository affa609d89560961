"""The interface is Swedish by default and English on request, through Django's translation
machinery: the code's msgids are English and locale/sv/LC_MESSAGES/django.po holds the
Swedish.

The compiled django.mo is committed next to the .po, because a fresh machine may lack the
gettext tools that ``manage.py compilemessages`` needs. These tests catch a catalogue with
missing Swedish and a .mo that was not recompiled after the .po changed.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from requirements.identifiers import organisation_number_error
from requirements.models import Requirement
from requirements.vocabulary import AnswerStatus, ClinicKind, ComplianceStatus, ContractForm

CATALOGUE_DIR = Path(settings.BASE_DIR) / "locale" / "sv" / "LC_MESSAGES"
PO_PATH = CATALOGUE_DIR / "django.po"
MO_PATH = CATALOGUE_DIR / "django.mo"


def _describe(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences) or "no reference"
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return f"{context}{entry.msgid!r} ({where})"


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%(?:\(\w+\))?[sdr]", text))


def _translations(catalogue: polib._BaseFile) -> dict[tuple[str | None, str], object]:
    """(context, msgid) -> msgstr, or the plural forms, for every translated entry."""
    mapping = {}
    for entry in catalogue:
        if not entry.msgid or entry.obsolete or "fuzzy" in entry.flags:
            continue  # the header, and what msgfmt leaves out of the .mo
        if entry.msgid_plural:
            forms = tuple(sorted(entry.msgstr_plural.items()))
            if all(text for _index, text in forms):
                mapping[(entry.msgctxt, entry.msgid)] = forms
        elif entry.msgstr:
            mapping[(entry.msgctxt, entry.msgid)] = entry.msgstr
    return mapping


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


class TestTheSwedishCatalogue:
    def test_it_is_swedish_and_its_header_is_not_fuzzy(self, po):
        assert po.metadata["Language"] == "sv"
        assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
        # msgfmt skips a fuzzy header, and with it the charset.
        assert not po.metadata_is_fuzzy

    def test_it_has_entries(self, po):
        assert len(po) > 100

    def test_every_entry_is_translated(self, po):
        untranslated = [_describe(entry) for entry in po.untranslated_entries()]
        assert not untranslated, f"{len(untranslated)} entries lack Swedish:\n" + "\n".join(
            untranslated
        )

    def test_no_entry_is_fuzzy(self, po):
        fuzzy = [_describe(entry) for entry in po.fuzzy_entries()]
        assert not fuzzy, "Check the Swedish and remove the fuzzy flag:\n" + "\n".join(fuzzy)

    def test_no_entry_is_obsolete(self, po):
        obsolete = [_describe(entry) for entry in po.obsolete_entries()]
        assert not obsolete, "Delete the obsolete (#~) entries:\n" + "\n".join(obsolete)

    def test_placeholders_are_kept_in_the_swedish(self, po):
        for entry in po.translated_entries():
            if entry.msgid_plural:
                # Each plural form uses the plural msgid's placeholders.
                for form in entry.msgstr_plural.values():
                    assert _placeholders(form) == _placeholders(entry.msgid_plural), _describe(
                        entry
                    )
            else:
                assert _placeholders(entry.msgstr) == _placeholders(entry.msgid), _describe(entry)

    def test_the_compiled_mo_matches_the_po(self, po):
        """Run ``manage.py compilemessages -l sv`` and commit the .mo with the .po."""
        mo = polib.mofile(str(MO_PATH))
        assert _translations(mo) == _translations(po)


class TestLabelsFollowTheActiveLanguage:
    @pytest.mark.parametrize(
        ("language", "expected"),
        [
            ("sv", ["Uppfyllt", "Delvis uppfyllt", "Ej uppfyllt", "Ej tillämpligt"]),
            ("en", ["Met", "Partially met", "Not met", "Not applicable"]),
        ],
    )
    def test_answer_statuses(self, language, expected):
        with translation.override(language):
            assert [str(label) for label in AnswerStatus.labels] == expected

    @pytest.mark.parametrize(
        ("language", "expected"),
        [
            ("sv", ["Uppfyllt", "Uppfyllt genom undantag", "Ej uppfyllt"]),
            ("en", ["Compliant", "Compliant through exemption", "Not compliant"]),
        ],
    )
    def test_compliance_statuses(self, language, expected):
        statuses = [
            ComplianceStatus.COMPLIANT,
            ComplianceStatus.COMPLIANT_BY_EXEMPTION,
            ComplianceStatus.NOT_COMPLIANT,
        ]
        with translation.override(language):
            assert [str(status.label) for status in statuses] == expected

    def test_one_english_word_keeps_two_swedish_words_apart_by_context(self):
        with translation.override("sv"):
            assert ClinicKind.OTHER.label == "Övrig"
            assert ContractForm.OTHER.label == "Annan"
        with translation.override("en"):
            assert ClinicKind.OTHER.label == ContractForm.OTHER.label == "Other"

    def test_model_names(self):
        with translation.override("sv"):
            assert Requirement._meta.verbose_name == "krav"
            assert Requirement._meta.get_field("decision_section").verbose_name == (
                "avsnitt i beslutet"
            )
        with translation.override("en"):
            assert Requirement._meta.verbose_name == "requirement"
            assert Requirement._meta.verbose_name_plural == "requirements"

    def test_messages(self):
        with translation.override("sv"):
            assert organisation_number_error("232100-0116") == (
                "Organisationsnumrets kontrollsiffra stämmer inte."
            )
        with translation.override("en"):
            assert organisation_number_error("232100-0116") == (
                "The check digit of the organisation number is wrong."
            )

    def test_swedish_is_the_default(self):
        """With no language activated (a command, a Celery task) Django uses LANGUAGE_CODE."""
        previous = translation.get_language()
        translation.deactivate()
        try:
            assert translation.get_language() == settings.LANGUAGE_CODE == "sv"
            assert str(AnswerStatus.MET.label) == "Uppfyllt"
        finally:
            if previous:
                translation.activate(previous)


class TestPagesFollowTheBrowser:
    def test_a_page_is_swedish_without_accept_language(self, client, db):
        response = client.get(reverse("login"))
        assert response.status_code == 200
        assert response.headers["Content-Language"] == "sv"
        content = response.content.decode()
        assert '<html lang="sv">' in content
        assert "Digitalt utbud" in content

    def test_a_page_is_english_with_accept_language_en(self, client, db):
        response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert response.headers["Content-Language"] == "en"
        content = response.content.decode()
        assert '<html lang="en">' in content
        assert "Digital offering" in content
        assert "Sign in" in content
        assert "Digitalt utbud" not in content

    def test_an_unsupported_language_falls_back_to_swedish(self, client, db):
        response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de")
        assert response.headers["Content-Language"] == "sv"
