"""Importing the register from CSV: all or nothing, every problem reported, constant queries."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from clinics.models import Clinic, Provider
from clinics.services.clinics_csv import ImportRejected
from clinics.services.register import import_clinics_csv
from requirements.vocabulary import ClinicKind, ContractForm, ProviderKind
from tests.factories import make_clinic, make_provider, organisation_number

HEADER = (
    "hsa_id;name;provider_org_nr;provider_name;kind;care_type;municipality_code;"
    "contract_form;url_1177"
)
REGION = ("232100-0115", "Region Halland")


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, the msgid language; Swedish comes from the .po."""
    with translation.override("en"):
        yield


def row(n: int, **cells) -> str:
    values = {
        "hsa_id": f"SE2321000115-V{n:05d}",
        "name": f"Vårdcentralen Prov {n}",
        "provider_org_nr": REGION[0],
        "provider_name": REGION[1],
        "kind": "vardcentral",
        "care_type": "health",
        "municipality_code": "1380",
        "contract_form": "region_run",
        "url_1177": f"https://www.1177.se/hitta-vard/kontaktkort/prov-{n}/",
        **cells,
    }
    return ";".join(values.values())


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def rejection(text) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportRejected) as caught:
        import_clinics_csv(text)
    return [(p.line, p.column, p.reason) for p in caught.value.problems]


def test_it_creates_clinics_and_their_providers(db):
    private = organisation_number(4711)
    text = csv_text(
        row(1),
        row(
            2,
            hsa_id=f"SE{private.replace('-', '')}-A1",
            provider_org_nr=private,
            provider_name="Havsbris Läkarhus AB",
            contract_form="vardval",
        ),
    )

    result = import_clinics_csv(text)

    assert (result.created, result.updated, result.providers_created) == (2, 0, 2)
    region_clinic = Clinic.objects.select_related("provider").get(hsa_id="SE2321000115-V00001")
    assert region_clinic.provider.kind == ProviderKind.REGION
    assert region_clinic.kind == ClinicKind.VARDCENTRAL
    private_provider = Provider.objects.get(organisation_number=private)
    assert private_provider.kind == ProviderKind.PRIVATE
    assert private_provider.clinics.get().contract_form == ContractForm.VARDVAL
    assert region_clinic.history.get().history_type == "+"


def test_an_existing_hsa_id_is_updated_and_the_change_recorded_in_history(db):
    provider = make_provider(organisation_number=REGION[0], name=REGION[1], kind="region")
    clinic = make_clinic(hsa_id="SE2321000115-V00001", name="Gammalt namn", provider=provider)

    result = import_clinics_csv(csv_text(row(1, name="Nytt namn", municipality_code="1383")))

    assert (result.created, result.updated) == (0, 1)
    clinic.refresh_from_db()
    assert (clinic.name, clinic.municipality_code) == ("Nytt namn", "1383")
    assert [h.history_type for h in clinic.history.order_by("history_date")] == ["+", "~"]
    assert clinic.history.latest("history_date").history_change_reason == "CSV-import"


def test_an_unchanged_row_is_counted_as_unchanged_and_leaves_no_history(db):
    import_clinics_csv(csv_text(row(1)))

    result = import_clinics_csv(csv_text(row(1)))

    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert Clinic.objects.get().history.count() == 1


def test_dates_change_only_when_the_file_has_their_columns(db):
    header = HEADER + ";active_from;active_until"
    import_clinics_csv(csv_text(row(1) + ";2020-01-01;2030-12-31", header=header))

    import_clinics_csv(csv_text(row(1, name="Nytt namn")))

    clinic = Clinic.objects.get()
    assert str(clinic.active_from) == "2020-01-01"
    assert str(clinic.active_until) == "2030-12-31"


def test_it_accepts_a_byte_order_mark_and_windows_line_endings(db):
    data = ("\ufeff" + csv_text(row(1), row(2)).replace("\n", "\r\n")).encode("utf-8")

    result = import_clinics_csv(data)

    assert result.created == 2


def test_a_bad_row_among_good_ones_writes_nothing_and_reports_every_bad_row(db):
    text = csv_text(
        row(1),  # line 2: good
        row(2, hsa_id="SE2321000116-V00002"),  # line 3: bad check digit
        row(3, municipality_code="1480"),  # line 4: Gothenburg is not in Halland
        row(4, hsa_id="SE2321000115-Vå004"),  # line 5: å in the local code
        row(5, hsa_id="SE2321000115-V00001"),  # line 6: the HSA-id of line 2 again
        row(6, url_1177="http://www.1177.se/x"),  # line 7: not https
        row(7),  # line 8: good
    )

    problems = rejection(text)

    assert Clinic.objects.count() == 0
    assert Provider.objects.count() == 0
    assert [(line, column) for line, column, _reason in problems] == [
        (3, "hsa_id"),
        (4, "municipality_code"),
        (5, "hsa_id"),
        (6, "hsa_id"),
        (7, "url_1177"),
    ]
    reasons = {line: reason for line, _column, reason in problems}
    assert "check digit" in reasons[3]
    assert "1480" in reasons[4]
    assert "1315, 1380, 1381, 1382, 1383, 1384" in reasons[4]
    assert "not å, ä, ö or @" in reasons[5]
    assert "already appears on line 2" in reasons[6]
    assert "https://" in reasons[7]


def test_a_missing_column_is_reported_on_the_header_line(db):
    header = HEADER.replace(";url_1177", "")
    rows = [r.rsplit(";", 1)[0] for r in (row(1), row(2))]

    problems = rejection(csv_text(*rows, header=header))

    assert problems == [(1, "url_1177", "The column is missing from the header row.")]
    assert Clinic.objects.count() == 0


def test_empty_required_cells_unknown_choices_and_bad_dates_are_each_reported(db):
    header = HEADER + ";active_from;active_until"
    text = csv_text(
        row(1, name="", kind="sjukhus") + ";2024-01-01;2023-01-01",
        row(2, care_type="health", kind="general_dental") + ";2024-13-01;",
        header=header,
    )

    problems = rejection(text)

    assert [(line, column) for line, column, _reason in problems] == [
        (2, "name"),
        (2, "kind"),
        (2, "active_until"),
        (3, "care_type"),
        (3, "active_from"),
    ]
    assert problems[0][2] == "Value missing."
    assert problems[1][2].startswith("Unknown value “sjukhus” for kind of clinic")
    assert problems[2][2] == "The end date is before the start date."
    assert problems[3][2] == "A dental clinic must have the care type dental."
    assert problems[4][2] == "Invalid date “2024-13-01”; write YYYY-MM-DD."


def test_a_provider_given_two_names_in_the_file_is_rejected(db):
    text = csv_text(row(1), row(2, provider_name="Region Hallandia"))

    problems = rejection(text)

    assert problems == [
        (3, "provider_name", "Provider 232100-0115 is called “Region Halland” on line 2.")
    ]


def test_the_import_uses_the_same_number_of_queries_for_5_and_50_rows(db):
    def queries_for(first: int, count: int) -> int:
        # Half of the rows update clinics that exist, half create new ones.
        for n in range(first, first + count // 2):
            make_clinic(hsa_id=f"SE2321000115-V{n:05d}")
        rows = [
            row(
                n,
                provider_org_nr=organisation_number(10**6 + n),
                provider_name=f"Vårdgivare {n} AB",
                contract_form="vardval",
            )
            for n in range(first, first + count)
        ]
        with CaptureQueriesContext(connection) as captured:
            result = import_clinics_csv(csv_text(*rows))
        assert (result.created, result.updated) == (count - count // 2, count // 2)
        return len(captured)

    assert queries_for(100, 5) == queries_for(1000, 50)


def test_the_command_prints_the_counts(db, tmp_path, capsys):
    path = tmp_path / "mottagningar.csv"
    path.write_text(csv_text(row(1), row(2)), encoding="utf-8")

    call_command("import_clinics", str(path))

    assert "2 clinics created, 0 updated, 0 unchanged." in capsys.readouterr().out


def test_the_command_prints_every_bad_row_to_stderr_and_fails(db, tmp_path, capsys):
    path = tmp_path / "mottagningar.csv"
    path.write_text(csv_text(row(1), row(2, municipality_code="9999"), row(3, kind="x")))

    with pytest.raises(CommandError, match="2 errors"):
        call_command("import_clinics", str(path))

    err = capsys.readouterr().err
    assert "line 3, column municipality_code: Unknown municipality code “9999”" in err
    assert "line 4, column kind: Unknown value “x”" in err
    assert Clinic.objects.count() == 0


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match=r"The file .*finns-inte\.csv does not exist"):
        call_command("import_clinics", str(tmp_path / "finns-inte.csv"))
