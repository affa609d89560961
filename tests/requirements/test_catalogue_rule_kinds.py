"""The rule kinds as the catalogue file states them: read, checked, stored and turned into
the pure rules; a file that states none is the catalogue it was."""

import pytest

from requirements.catalogue_import import (
    DEFAULT_CATALOGUE_PATH,
    CatalogueError,
    import_catalogue,
    parse_catalogue,
)
from requirements.compliance import ChannelCondition, ExemptionRule, GroupMinimum
from requirements.vocabulary import RequirementLevel
from tests.requirements.test_catalogue_import import problem_keys, write_catalogue


def requirement(code: str, extra: str = "", exemption_kinds: str = "[]") -> str:
    return f"""\
      - code: {code}
        name_sv: Krav {code}
        name_en: Requirement {code}
        description_sv: Beskrivning.
        description_en: Description.
        decision_section: Digitalt utbud
        applies_when: []
        may_be_not_applicable: true
        exemption_kinds: {exemption_kinds}
        permanent_exemption_allowed: false
        asks_channel: true
{extra}"""


OWN_SOLUTION_ONLY = """\
        applies_if_channel:
          area: etjanster
          channels: [own, both]
"""
BOOKING_EXEMPTION_RULE = """\
        exemption_rules:
          - kind: request_appointment
            reasons: [technical, medical]
            alternative_required: true
            while_met: etjanster.boka_bestalla_tid
"""
E_SERVICES = "".join(
    [
        requirement("etjanster.boka_bestalla_tid"),
        requirement("etjanster.radgivning"),
        requirement("etjanster.egen_losning_via_1177", OWN_SOLUTION_ONLY),
        requirement("etjanster.enkelt_att_na", "        level: advisory\n"),
    ]
)
BOOK_DIRECTLY = requirement(
    "webbtidbok.boka_direkt", BOOKING_EXEMPTION_RULE, exemption_kinds="[request_appointment]"
)
OWN_PLATFORM = requirement(
    "behandling.egen_plattform_godkand",
    "        approval_required: true\n",
    exemption_kinds="[own_platform_approval]",
)


def catalogue(*, etjanster_extra: str = "", webbtidbok: str = "", behandling: str = "") -> str:
    return f"""\
decision_id: RS220477
decision_date: 2022-03-19
effective_from: 2027-01-01
title: Digitalt utbud
title_en: Digital offering
areas:
  - code: etjanster
    name_sv: E-tjänster
    name_en: E-services
    in_baseline: true
{etjanster_extra}    requirements:
{E_SERVICES}  - code: webbtidbok
    name_sv: Tidbokning via nätet
    name_en: Booking online
    in_baseline: true
    requirements:
{webbtidbok or BOOK_DIRECTLY}  - code: behandling
    name_sv: Behandling via nätet
    name_en: Treatment online
    in_baseline: true
    requirements:
{behandling or OWN_PLATFORM}"""


def channel_condition(area: str, channels: str) -> str:
    return f"        applies_if_channel:\n          area: {area}\n          channels: {channels}\n"


MINIMUM = """\
    minimums:
      - requirements: [etjanster.boka_bestalla_tid, etjanster.radgivning]
        not_all_not_applicable: true
"""


@pytest.mark.django_db
def test_every_rule_kind_is_stored_and_comes_back_as_the_pure_rules(tmp_path):
    version, created = import_catalogue(
        write_catalogue(tmp_path, catalogue(etjanster_extra=MINIMUM))
    )

    assert created
    areas = {area.code: area.to_rule() for area in version.areas.all()}
    rules = {r.code: r.to_rule() for r in version.requirements.select_related("area")}
    assert areas["etjanster"].minimums == (
        GroupMinimum(
            frozenset({"etjanster.boka_bestalla_tid", "etjanster.radgivning"}),
            at_least_met=0,
            not_all_not_applicable=True,
        ),
    )
    assert rules["etjanster.egen_losning_via_1177"].applies_if_channel == ChannelCondition(
        "etjanster", frozenset({"own", "both"})
    )
    assert rules["etjanster.enkelt_att_na"].level == RequirementLevel.ADVISORY
    assert rules["etjanster.radgivning"].level == RequirementLevel.REQUIRED
    assert rules["behandling.egen_plattform_godkand"].approval_required
    assert rules["webbtidbok.boka_direkt"].exemption_rules == (
        ExemptionRule(
            "request_appointment",
            reasons=frozenset({"technical", "medical"}),
            alternative_required=True,
            while_met="etjanster.boka_bestalla_tid",
        ),
    )


def test_stating_the_rules_at_their_defaults_changes_nothing_of_the_catalogue():
    text = DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8")
    explicit = text.replace(
        "        asks_channel: false\n",
        "        asks_channel: false\n        level: required\n        approval_required: false\n"
        "        exemption_rules: []\n",
    ).replace("    in_baseline: true\n", "    in_baseline: true\n    minimums: []\n")

    assert explicit != text
    assert parse_catalogue(explicit).content_hash() == parse_catalogue(text).content_hash()


@pytest.mark.parametrize(
    ("change", "key"),
    [
        # A minimum names a requirement of another area.
        (
            {
                "etjanster_extra": "    minimums:\n"
                "      - requirements: [webbtidbok.boka_direkt]\n"
                "        at_least_met: 1\n"
            },
            "areas[0].minimums[0].requirements",
        ),
        # A minimum that asks for nothing.
        (
            {"etjanster_extra": "    minimums:\n      - requirements: [etjanster.radgivning]\n"},
            "areas[0].minimums[0]",
        ),
        # An exemption rule for a kind the requirement does not allow.
        (
            {
                "webbtidbok": requirement(
                    "webbtidbok.boka_direkt",
                    "        exemption_rules:\n          - kind: request_appointment\n",
                )
            },
            "areas[1].requirements[0].exemption_rules[0].kind",
        ),
        # A reason the vocabulary does not have.
        (
            {
                "webbtidbok": requirement(
                    "webbtidbok.boka_direkt",
                    "        exemption_rules:\n          - kind: request_appointment\n"
                    "            reasons: [economic]\n",
                    exemption_kinds="[request_appointment]",
                )
            },
            "areas[1].requirements[0].exemption_rules[0].reasons[0]",
        ),
        # A demanded requirement that does not exist.
        (
            {
                "webbtidbok": requirement(
                    "webbtidbok.boka_direkt",
                    "        exemption_rules:\n          - kind: request_appointment\n"
                    "            while_met: etjanster.finns_inte\n",
                    exemption_kinds="[request_appointment]",
                )
            },
            "areas[1].requirements[0].exemption_rules[0].while_met",
        ),
        # An unknown level.
        (
            {
                "behandling": requirement(
                    "behandling.egen_plattform_godkand", "        level: maybe\n"
                )
            },
            "areas[2].requirements[0].level",
        ),
        # An unknown channel.
        (
            {
                "behandling": requirement(
                    "behandling.egen_plattform_godkand",
                    channel_condition("behandling", "[fax]"),
                )
            },
            "areas[2].requirements[0].applies_if_channel.channels[0]",
        ),
        # A channel condition on an area the catalogue does not have.
        (
            {
                "behandling": requirement(
                    "behandling.egen_plattform_godkand",
                    channel_condition("journalen", "[own]"),
                )
            },
            "areas[2].requirements[0].applies_if_channel.area",
        ),
    ],
)
def test_a_rule_that_does_not_hold_together_is_named_by_its_key(change, key):
    with pytest.raises(CatalogueError) as error:
        parse_catalogue(catalogue(**change))

    assert key in problem_keys(error.value)
