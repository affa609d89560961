"""The rule kinds a catalogue revision may state (``requirements.compliance``), read from
the file: an area's minimums, a requirement's channel condition and its exemption rules.
Each is checked here, and a reference to another part of the catalogue where it is
parsed whole (``catalogue_parse``)."""

from django.utils.translation import gettext as _

from requirements import catalogue_fields as fields
from requirements.vocabulary import Channel, ReasonCategory

_MINIMUM_KEYS = ("requirements", "at_least_met", "not_all_not_applicable")
_CHANNEL_CONDITION_KEYS = ("area", "channels")
_EXEMPTION_RULE_KEYS = ("kind", "reasons", "alternative_required", "while_met")


def _codes(data: dict, key: str, path: str, problems: fields.Problems) -> list[str]:
    values = fields.listed(
        data, key, f"{path}.", problems, non_empty=_("The list must not be empty.")
    )
    codes = [value for value in values if isinstance(value, str)]
    if len(codes) != len(values):
        problems.add(f"{path}.{key}", _("Each value must be a requirement's code."))
    return sorted(set(codes))


def minimums(data: dict, prefix: str, problems: fields.Problems) -> list[dict]:
    minimums = []
    for index, raw in enumerate(fields.listed(data, "minimums", prefix, problems)):
        path = f"{prefix}minimums[{index}]"
        if fields.mapping(raw, _MINIMUM_KEYS, path, problems) is None:
            continue
        at_least = raw.get("at_least_met", 0)
        if not isinstance(at_least, int) or isinstance(at_least, bool) or at_least < 0:
            problems.add(f"{path}.at_least_met", _("The value must be a whole number, 0 or more."))
            at_least = 0
        minimum = {
            "requirements": _codes(raw, "requirements", path, problems),
            "at_least_met": at_least,
            "not_all_not_applicable": fields.boolean(
                raw, "not_all_not_applicable", f"{path}.", problems
            ),
        }
        if not minimum["at_least_met"] and not minimum["not_all_not_applicable"]:
            problems.add(
                path,
                _("A minimum must ask for at_least_met or not_all_not_applicable."),
            )
        minimums.append(minimum)
    return minimums


def channel_condition(data: dict, prefix: str, problems: fields.Problems) -> dict | None:
    if "applies_if_channel" not in data:
        return None
    raw, path = data["applies_if_channel"], f"{prefix}applies_if_channel"
    if fields.mapping(raw, _CHANNEL_CONDITION_KEYS, path, problems) is None:
        return None
    channels = fields.listed(
        raw, "channels", f"{path}.", problems, non_empty=_("The list must not be empty.")
    )
    for index, channel in enumerate(channels):
        if channel not in Channel.values:
            problems.add(
                f"{path}.channels[{index}]",
                _("Unknown value %(value)r; the allowed values are: %(allowed)s.")
                % {"value": channel, "allowed": ", ".join(Channel.values)},
            )
    return {
        "area": fields.text(raw, "area", f"{path}.", problems, None),
        "channels": sorted({c for c in channels if c in Channel.values}),
    }


def exemption_rules(data: dict, prefix: str, problems: fields.Problems) -> list[dict]:
    rules = []
    kinds = data.get("exemption_kinds") if isinstance(data.get("exemption_kinds"), list) else []
    for index, raw in enumerate(fields.listed(data, "exemption_rules", prefix, problems)):
        path = f"{prefix}exemption_rules[{index}]"
        if fields.mapping(raw, _EXEMPTION_RULE_KEYS, path, problems) is None:
            continue
        kind = raw.get("kind")
        if kind not in kinds:
            problems.add(
                f"{path}.kind",
                _("The rule must name one of the requirement's exemption_kinds."),
            )
        reasons = fields.listed(raw, "reasons", f"{path}.", problems)
        for reason_index, reason in enumerate(reasons):
            if reason not in ReasonCategory.values:
                problems.add(
                    f"{path}.reasons[{reason_index}]",
                    _("Unknown value %(value)r; the allowed values are: %(allowed)s.")
                    % {"value": reason, "allowed": ", ".join(ReasonCategory.values)},
                )
        while_met = raw.get("while_met", "")
        if not isinstance(while_met, str):
            problems.add(f"{path}.while_met", _("The value must be a requirement's code."))
            while_met = ""
        rules.append(
            {
                "kind": kind if isinstance(kind, str) else "",
                "reasons": sorted({r for r in reasons if r in ReasonCategory.values}),
                "alternative_required": fields.boolean(
                    raw, "alternative_required", f"{path}.", problems
                ),
                "while_met": while_met.strip(),
            }
        )
    return rules
