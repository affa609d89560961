"""The definitions themselves, without a database."""

import pytest
from django.utils import translation

from followup.indicators import INDICATORS, Source, indicator
from followup.vocabulary import Direction, Unit


def test_every_indicator_has_its_own_id():
    ids = [i.id for i in INDICATORS]

    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("item", INDICATORS, ids=lambda i: i.id)
def test_every_indicator_is_named_and_described_in_swedish_and_in_english(item):
    with translation.override("sv"):
        swedish = (str(item.name), str(item.description))
    with translation.override("en"):
        english = (str(item.name), str(item.description))

    assert all(swedish)
    assert all(english)
    assert swedish != english


def test_the_decision_asks_for_these_figures():
    """RS220477: the baseline and each of its seven areas, direct web booking, the
    e-services and 1177, the three kinds of remote contact, the exemptions, the reporting
    round, and the general requirements beside the baseline."""
    wanted = {
        "baseline",
        *(f"area.{code}" for code in ("hemsida", "etjanster", "webbtidbok", "journalen")),
        *(f"area.{code}" for code in ("npo", "distans", "behandling", "generella")),
        "web_booking.direct",
        "e_services.mean_share",
        "e_services.via_1177",
        "remote.video",
        "remote.chat",
        "remote.telephone",
        "exemptions.in_force",
        "exemptions.ending_90_days",
        "round.submitted",
        "round.approved",
        "round.overdue",
    }

    assert wanted <= {i.id for i in INDICATORS}


def test_a_share_is_its_numerator_over_its_denominator_and_nothing_when_there_is_none():
    share = indicator("baseline")

    assert share.unit == Unit.SHARE
    assert share.value(3, 4) == 0.75
    assert share.value(0, 0) is None


def test_a_count_is_its_numerator():
    count = indicator("exemptions.in_force")

    assert (count.unit, count.direction, count.value(7, None)) == (Unit.COUNT, Direction.LOWER, 7)


def test_an_unknown_id_is_an_error():
    with pytest.raises(KeyError):
        indicator("nothing")


def test_what_is_offered_counts_answers_not_exemptions():
    """A clinic offering "beställa tid" under an exemption does not offer direct booking."""
    booking = indicator("web_booking.direct")

    assert booking.source == Source.REQUIREMENT
    assert "compliant_by_exemption" not in str(booking.numerator.where)
