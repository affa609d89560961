"""One rule for the web addresses people give, wherever they come from: a complete address
starting with https://, short enough to keep. Plain functions, tested without a database."""

import importlib

import pytest

from clinics.links import evidence_url_error, is_https_url, links_error, tidied_links
from halland_utbud.limits import LINKS_MAX, URL_MAX

GOOD = "https://www.1177.se/hitta-vard/underlag"
links_migration = importlib.import_module("clinics.migrations.0014_case_links_list")


@pytest.mark.parametrize(
    "address",
    [GOOD, "https://intra.regionhalland.se/utredning.pdf?v=2#sida-3"],
)
def test_a_complete_https_address_is_accepted(address):
    assert is_https_url(address)
    assert evidence_url_error(address) == ""
    assert links_error([address]) == ""


@pytest.mark.parametrize(
    ("address", "error"),
    [
        ("http://www.1177.se/", "Länken till underlaget ska börja med https://."),
        ("ftp://www.1177.se/", "Länken till underlaget ska börja med https://."),
        ("https://", "Ange en fullständig webbadress, till exempel https://www.1177.se/."),
        (
            "https://inte en adress",
            "Ange en fullständig webbadress, till exempel https://www.1177.se/.",
        ),
        ("https://www.1177.se/" + "x" * URL_MAX, "Länken är för lång."),
    ],
)
def test_an_evidence_link_that_is_not_a_complete_https_address_says_why(address, error):
    assert not is_https_url(address)
    assert evidence_url_error(address) == error


def test_no_evidence_link_is_no_error():
    assert evidence_url_error("") == ""


def test_a_cases_links_name_every_wrong_one():
    assert links_error([GOOD, "http://a.se", "https://"]) == (
        "Varje länk måste vara en webbadress som börjar med https://: http://a.se, https://"
    )


def test_a_case_takes_a_bounded_number_of_links():
    assert links_error([GOOD] * LINKS_MAX) == ""
    assert links_error([GOOD] * (LINKS_MAX + 1)) == f"Ange högst {LINKS_MAX} länkar."


def test_links_are_kept_in_order_without_spaces_or_empty_entries():
    assert tidied_links([f"  {GOOD} ", "", "   ", "https://b.se"]) == [GOOD, "https://b.se"]


def test_text_is_not_taken_for_a_list_of_links():
    with pytest.raises(TypeError):
        tidied_links(GOOD)


def test_the_migration_reads_one_link_a_line_and_writes_them_back():
    text = f" {GOOD}\r\n\r\nhttps://b.se \n"

    links = links_migration.links_of(text)

    assert links == [GOOD, "https://b.se"]
    assert links_migration.text_of(links) == f"{GOOD}\nhttps://b.se"
    assert links_migration.links_of("") == []
