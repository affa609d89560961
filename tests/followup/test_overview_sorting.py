"""Sorting the region overview: by name, municipality, provider, share or an area, in SQL,
with the sorted column marked for screen readers."""

import pytest

from requirements.vocabulary import AreaStatus
from tests.followup.test_overview_page import OVERVIEW, shown, signed_in


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


SORT_CASES = [
    ("name", ["draft", "returned", "submitted", "meeting", "failing", "silent"]),
    ("-name", ["silent", "failing", "meeting", "submitted", "returned", "draft"]),
    # Falkenberg, Halmstad, Halmstad, Kungsbacka, Laholm, Varberg: by name, not code.
    ("municipality", ["draft", "meeting", "failing", "submitted", "returned", "silent"]),
    ("-municipality", ["silent", "returned", "submitted", "meeting", "failing", "draft"]),
    ("provider", ["draft", "returned", "meeting", "silent", "submitted", "failing"]),
    ("-share", ["meeting", "failing", "draft", "returned", "submitted", "silent"]),
    ("share", ["draft", "returned", "submitted", "silent", "failing", "meeting"]),
]


def test_the_view_sorts_by_name_municipality_provider_and_share(client, region):
    client = signed_in(client)
    for sort, expected in SORT_CASES:
        response = client.get(OVERVIEW, {"sort": sort})

        assert shown(response) == [getattr(region, name).hsa_id for name in expected], sort


def test_an_unknown_sort_sorts_by_name(client, region):
    assert shown(signed_in(client).get(OVERVIEW, {"sort": "-password"})) == shown(
        client.get(OVERVIEW)
    )


def test_column_headers_link_to_sorting_and_mark_the_sorted_column(client, region):
    content = (
        signed_in(client)
        .get(OVERVIEW, {"sort": "-municipality", "municipality": "1380", "page": "1"})
        .content.decode()
    )

    assert (
        '<th scope="col" id="col-municipality" aria-sort="descending">'
        '<a href="?sort=municipality&amp;municipality=1380">' in content
    )
    assert (
        '<a href="?sort=name&amp;municipality=1380">'
        '<span class="visually-hidden">Sort by: </span>Clinic and HSA-id</a>' in content
    )
    assert content.count("aria-sort=") == 1
    # The filter form keeps the sort.
    assert '<input type="hidden" name="sort" value="-municipality">' in content


def test_the_view_sorts_by_an_area_column(client, region):
    client = signed_in(client)

    ascending = shown(client.get(OVERVIEW, {"sort": "area:hemsida"}))
    descending = shown(client.get(OVERVIEW, {"sort": "-area:hemsida"}))

    # The failing clinic has 0 of 1 met, the meeting one 1 of 1; the rest 0 too.
    assert ascending[-1] == region.meeting.hsa_id
    assert descending[0] == region.meeting.hsa_id
    assert AreaStatus.MET in next(
        row.cells for row in client.get(OVERVIEW).context["rows"] if row.clinic == region.meeting
    )


def test_an_area_sorts_only_with_its_prefix(client, region):
    """``sort=hemsida`` is not a column: the table sorts by name, as for any unknown sort."""
    client = signed_in(client)

    assert shown(client.get(OVERVIEW, {"sort": "hemsida"})) == shown(client.get(OVERVIEW))
    assert client.get(OVERVIEW, {"sort": "hemsida"}).context["sort"].is_default
