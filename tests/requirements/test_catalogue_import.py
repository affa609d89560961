from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from requirements.catalogue_import import (
    DEFAULT_CATALOGUE_PATH,
    CatalogueError,
    import_catalogue,
    parse_catalogue,
)
from requirements.models import Area, CatalogueVersion, Requirement

REQUIREMENTS_PER_AREA = {
    "hemsida": 1,
    "etjanster": 19,
    "webbtidbok": 7,
    "journalen": 3,
    "npo": 1,
    "distans": 4,
    "behandling": 2,
    "generella": 4,
}

CATALOGUE_TEXT = DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8")


def row_counts() -> tuple[int, int, int]:
    return (
        CatalogueVersion.objects.count(),
        Area.objects.count(),
        Requirement.objects.count(),
    )


def snapshot(version: CatalogueVersion) -> list[dict]:
    """Every stored value of a version's rows, to prove they were not rewritten."""
    return [
        {"version": CatalogueVersion.objects.filter(pk=version.pk).values().get()},
        *Area.objects.filter(version=version).order_by("pk").values(),
        *Requirement.objects.filter(version=version).order_by("pk").values(),
    ]


def write_catalogue(tmp_path, text: str, name: str = "katalog.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problem_keys(error: CatalogueError) -> list[str]:
    return [problem.key for problem in error.problems]


@pytest.mark.django_db
class TestImportingTheRepositoryCatalogue:
    def test_it_creates_one_version_with_eight_areas_in_file_order(self):
        version, created = import_catalogue(DEFAULT_CATALOGUE_PATH)

        assert created is True
        assert version.decision_id == "RS220477"
        assert version.revision == 1
        assert version.decision_date == date(2022, 3, 19)
        assert version.effective_from == date(2022, 3, 19)
        assert version.source_name == "rs220477.yaml"
        assert list(version.areas.order_by("position").values_list("code", flat=True)) == list(
            REQUIREMENTS_PER_AREA
        )

    def test_it_creates_the_expected_number_of_requirements_in_each_area(self):
        version, _created = import_catalogue(DEFAULT_CATALOGUE_PATH)

        counts = {area.code: area.requirements.count() for area in version.areas.all()}
        assert counts == REQUIREMENTS_PER_AREA
        assert version.requirements.count() == sum(REQUIREMENTS_PER_AREA.values())

    def test_requirement_positions_follow_the_file(self):
        version, _created = import_catalogue(DEFAULT_CATALOGUE_PATH)

        codes = list(version.requirements.order_by("position").values_list("code", flat=True))
        assert codes == [
            requirement.code for requirement in parse_catalogue(CATALOGUE_TEXT).requirements
        ]

    def test_applies_when_is_stored_as_a_list_of_attribute_to_values_mappings(self):
        version, _created = import_catalogue(DEFAULT_CATALOGUE_PATH)

        booking = version.requirements.get(code="webbtidbok.avboka")
        # Allowed values are stored sorted, so reordering them in the file changes nothing.
        assert booking.applies_when == [
            {
                "care_type": ["health"],
                "kind": [
                    "bup",
                    "other",
                    "psychiatry",
                    "rehabilitation",
                    "specialist",
                    "vardcentral",
                ],
            },
            {"care_type": ["dental"], "provider_kind": ["region"]},
        ]
        assert version.requirements.get(code="hemsida.sida_1177").applies_when == []

    def test_importing_twice_returns_the_same_version_and_writes_no_rows(self):
        first, _created = import_catalogue(DEFAULT_CATALOGUE_PATH)
        counts = row_counts()

        second, created = import_catalogue(DEFAULT_CATALOGUE_PATH)

        assert created is False
        assert second.pk == first.pk
        assert row_counts() == counts

    def test_comments_and_layout_do_not_make_a_new_version(self, tmp_path):
        first, _created = import_catalogue(DEFAULT_CATALOGUE_PATH)
        reformatted = "# En ny kommentar överst.\n\n" + CATALOGUE_TEXT.replace(
            "decision_id: RS220477", "decision_id:    RS220477   # beslutets diarienummer"
        )

        second, created = import_catalogue(write_catalogue(tmp_path, reformatted))

        assert created is False
        assert second.pk == first.pk


@pytest.mark.django_db
class TestImportingAChangedCatalogue:
    def test_a_changed_name_creates_revision_two(self, tmp_path):
        first, _created = import_catalogue(DEFAULT_CATALOGUE_PATH)
        changed = CATALOGUE_TEXT.replace(
            "name_sv: Rådgivning\n", "name_sv: Rådgivning via nätet\n", 1
        )
        assert changed != CATALOGUE_TEXT

        second, created = import_catalogue(write_catalogue(tmp_path, changed))

        assert created is True
        assert second.pk != first.pk
        assert (second.decision_id, second.revision) == ("RS220477", 2)
        assert second.requirements.get(code="etjanster.radgivning").name_sv == (
            "Rådgivning via nätet"
        )
        assert second.requirements.count() == first.requirements.count()

    def test_revision_one_keeps_its_rows_exactly_as_they_were(self, tmp_path):
        first, _created = import_catalogue(DEFAULT_CATALOGUE_PATH)
        before = snapshot(first)
        changed = CATALOGUE_TEXT.replace(
            "name_sv: Rådgivning\n", "name_sv: Rådgivning via nätet\n", 1
        )

        import_catalogue(write_catalogue(tmp_path, changed))

        assert snapshot(first) == before
        assert first.requirements.get(code="etjanster.radgivning").name_sv == "Rådgivning"

    def test_importing_the_old_file_again_after_a_change_returns_the_old_version(self, tmp_path):
        first, _created = import_catalogue(DEFAULT_CATALOGUE_PATH)
        changed = CATALOGUE_TEXT.replace("name_sv: Vårdval\n", "name_sv: Välja vårdcentral\n")
        import_catalogue(write_catalogue(tmp_path, changed))

        again, created = import_catalogue(DEFAULT_CATALOGUE_PATH)

        assert created is False
        assert again.pk == first.pk
        assert CatalogueVersion.objects.count() == 2


@pytest.mark.django_db
class TestTheVersionInForce:
    def test_in_force_picks_the_version_effective_on_the_date(self, tmp_path):
        first, _created = import_catalogue(DEFAULT_CATALOGUE_PATH)
        revised = CATALOGUE_TEXT.replace(
            "effective_from: 2022-03-19", "effective_from: 2024-01-01"
        )
        second, _created = import_catalogue(write_catalogue(tmp_path, revised))

        assert CatalogueVersion.objects.in_force(date(2022, 3, 18)) is None
        assert CatalogueVersion.objects.in_force(date(2022, 3, 19)) == first
        assert CatalogueVersion.objects.in_force(date(2023, 12, 31)) == first
        assert CatalogueVersion.objects.in_force(date(2024, 1, 1)) == second
        assert CatalogueVersion.objects.in_force(date(2030, 1, 1)) == second

    def test_a_later_revision_with_the_same_effective_date_wins(self, tmp_path):
        import_catalogue(DEFAULT_CATALOGUE_PATH)
        changed = CATALOGUE_TEXT.replace("name_sv: Egenremiss\n", "name_sv: Skicka egenremiss\n")
        second, _created = import_catalogue(write_catalogue(tmp_path, changed))

        assert CatalogueVersion.objects.in_force(date(2022, 3, 19)) == second


# A catalogue with problems among valid entries: an unknown exemption kind, an unknown
# applies_when attribute, a duplicate requirement code and a missing name_sv.
BROKEN_CATALOGUE = """\
decision_id: RS220477
decision_date: 2022-03-19
effective_from: 2022-03-19
title: Digitalt utbud
title_en: Digital offering
areas:
  - code: hemsida
    name_sv: Mottagningens hemsida via 1177 Vårdguiden
    name_en: The clinic's web page on 1177
    in_baseline: true
    requirements:
      - code: hemsida.sida_1177
        name_sv: Mottagningens hemsida via 1177 Vårdguiden (1177.se)
        name_en: The clinic's own page on 1177
        description_sv: Mottagningen har en egen sida på 1177.se.
        description_en: The clinic has its own page on 1177.se.
        decision_section: Digitalt utbud
        applies_when: []
        may_be_not_applicable: false
        exemption_kinds: []
        permanent_exemption_allowed: false
        asks_channel: false
  - code: npo
    name_sv: Nationell patientöversikt (NPÖ)
    name_en: National Patient Overview
    in_baseline: true
    requirements:
      - code: npo.ansluten
        name_sv: Vårdinformationssystemet är anslutet till NPÖ
        name_en: Connected to NPÖ
        description_sv: Systemet är anslutet till NPÖ.
        description_en: The system is connected to NPÖ.
        decision_section: Nationell patientöversikt (NPÖ)
        applies_when:
          - care_type: [health]
            colour: [blue]
        may_be_not_applicable: false
        exemption_kinds: [documentation_otherwise_available, because_we_say_so]
        permanent_exemption_allowed: true
        asks_channel: false
      - code: npo.ansluten
        name_en: Connected to NPÖ, again
        description_sv: Samma kod en gång till.
        description_en: The same code again.
        decision_section: Nationell patientöversikt (NPÖ)
        applies_when: []
        may_be_not_applicable: false
        exemption_kinds: []
        permanent_exemption_allowed: false
        asks_channel: false
"""

BROKEN_KEYS = {
    "areas[1].requirements[0].applies_when[0].colour",
    "areas[1].requirements[0].exemption_kinds[1]",
    "areas[1].requirements[1].code",
    "areas[1].requirements[1].name_sv",
}


class TestParsingABrokenCatalogue:
    def test_it_names_every_bad_key_and_only_those(self):
        with pytest.raises(CatalogueError) as caught:
            parse_catalogue(BROKEN_CATALOGUE)

        assert set(problem_keys(caught.value)) == BROKEN_KEYS

    def test_each_problem_gives_a_reason_in_swedish(self):
        with pytest.raises(CatalogueError) as caught:
            parse_catalogue(BROKEN_CATALOGUE)

        reasons = {problem.key: problem.reason for problem in caught.value.problems}
        assert "Okänd egenskap" in reasons["areas[1].requirements[0].applies_when[0].colour"]
        assert "because_we_say_so" in reasons["areas[1].requirements[0].exemption_kinds[1]"]
        assert "areas[1].requirements[0].code" in reasons["areas[1].requirements[1].code"]
        assert reasons["areas[1].requirements[1].name_sv"] == "Nyckeln saknas."

    def test_an_unknown_value_of_a_known_attribute_is_named(self):
        text = CATALOGUE_TEXT.replace("- care_type: [health]", "- care_type: [veterinary]", 1)

        with pytest.raises(CatalogueError) as caught:
            parse_catalogue(text)

        assert problem_keys(caught.value) == [
            "areas[2].requirements[0].applies_when[0].care_type[0]"
        ]

    def test_a_permanent_exemption_needs_an_exemption_kind(self):
        text = CATALOGUE_TEXT.replace(
            "        permanent_exemption_allowed: false\n",
            "        permanent_exemption_allowed: true\n",
            1,
        )

        with pytest.raises(CatalogueError) as caught:
            parse_catalogue(text)

        assert problem_keys(caught.value) == [
            "areas[0].requirements[0].permanent_exemption_allowed"
        ]

    def test_bad_dates_types_and_unknown_keys_are_all_reported_together(self):
        text = (
            CATALOGUE_TEXT.replace("decision_date: 2022-03-19", "decision_date: 19 mars 2022")
            .replace("    in_baseline: true\n", "    in_baseline: ja\n", 1)
            .replace(
                "        asks_channel: false\n",
                "        asks_channel: false\n        colour: red\n",
                1,
            )
        )

        with pytest.raises(CatalogueError) as caught:
            parse_catalogue(text)

        assert set(problem_keys(caught.value)) == {
            "decision_date",
            "areas[0].in_baseline",
            "areas[0].requirements[0].colour",
        }

    def test_a_requirement_code_must_begin_with_its_area_code(self):
        text = CATALOGUE_TEXT.replace("code: hemsida.sida_1177", "code: webbtidbok.sida_1177")

        with pytest.raises(CatalogueError) as caught:
            parse_catalogue(text)

        assert problem_keys(caught.value) == ["areas[0].requirements[0].code"]

    def test_a_key_repeated_in_one_mapping_is_reported(self):
        text = CATALOGUE_TEXT.replace(
            "title_en: Digital", "title_en: Digitalt utbud\ntitle_en: Digital", 1
        )

        with pytest.raises(CatalogueError) as caught:
            parse_catalogue(text)

        assert [problem.key for problem in caught.value.problems] == ["title_en"]
        assert "två gånger" in caught.value.problems[0].reason

    def test_text_that_is_not_yaml_is_reported(self):
        with pytest.raises(CatalogueError) as caught:
            parse_catalogue("areas: [unclosed")

        assert "YAML" in caught.value.problems[0].reason


@pytest.mark.django_db
class TestTheImportCommand:
    def test_it_reports_a_new_version(self):
        out = StringIO()

        call_command("import_catalogue", str(DEFAULT_CATALOGUE_PATH), stdout=out)

        assert "Ny katalogversion skapad: RS220477 revision 1" in out.getvalue()
        assert "41 krav" in out.getvalue()
        assert CatalogueVersion.objects.count() == 1

    def test_it_reports_a_file_already_imported(self):
        call_command("import_catalogue", str(DEFAULT_CATALOGUE_PATH), stdout=StringIO())
        out = StringIO()

        call_command("import_catalogue", str(DEFAULT_CATALOGUE_PATH), stdout=out)

        assert "redan importerad som RS220477 revision 1" in out.getvalue()
        assert CatalogueVersion.objects.count() == 1

    def test_a_broken_file_fails_naming_each_key_and_writes_nothing(self, tmp_path):
        import_catalogue(DEFAULT_CATALOGUE_PATH)
        counts = row_counts()

        with pytest.raises(CommandError) as caught:
            call_command(
                "import_catalogue",
                str(write_catalogue(tmp_path, BROKEN_CATALOGUE)),
                stdout=StringIO(),
            )

        # manage.py turns a CommandError into this exit status.
        assert caught.value.returncode != 0
        message = str(caught.value)
        assert "inget har ändrats" in message
        for key in BROKEN_KEYS:
            assert key in message
        assert "because_we_say_so" in message
        assert "Nyckeln saknas." in message
        assert row_counts() == counts

    def test_a_missing_file_is_a_clear_error(self, tmp_path):
        missing = tmp_path / "finns-inte.yaml"

        with pytest.raises(CommandError, match="finns inte"):
            call_command("import_catalogue", str(missing), stdout=StringIO())

        assert row_counts() == (0, 0, 0)
