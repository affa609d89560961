"""The pieces every part of the catalogue file is read with: the problems found, the YAML
loader that reports repeated keys, and the readers of one field each. A reader reports a
wrong value and returns a harmless stand-in, so that validation goes on and every problem
is found in one pass."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class CatalogueProblem:
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.key}: {self.reason}" if self.key else self.reason


class CatalogueError(Exception):
    """The catalogue file cannot be imported; ``problems`` lists every reason why."""

    def __init__(self, problems: list[CatalogueProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class Problems:
    """Collects every problem, and where each code was first seen to report duplicates."""

    def __init__(self) -> None:
        self.items: list[CatalogueProblem] = []
        self._code_paths: dict[tuple[str, str], str] = {}

    def add(self, key: str, reason: str) -> None:
        self.items.append(CatalogueProblem(key, reason))

    def check_unique(self, kind: str, code: str, path: str) -> None:
        if not code:
            return
        first = self._code_paths.setdefault((kind, code), path)
        if first != path:
            self.add(
                path,
                _("The code %(code)s is already used in %(other)s.")
                % {"code": code, "other": first},
            )


class DuplicateKeyLoader(yaml.SafeLoader):
    """A safe loader that records keys repeated in one mapping instead of keeping the last.

    Plain YAML loading silently drops the first of two equal keys, which would hide a
    mistake in the catalogue.
    """

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, int]] = []

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
                if key in seen:
                    self.duplicates.append((key, key_node.start_mark.line + 1))
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_yaml(text: str, problems: Problems) -> Any:
    loader = DuplicateKeyLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as error:
        problems.add("", _("The file is not valid YAML: %(error)s") % {"error": error})
        return None
    finally:
        loader.dispose()
    for key, line in loader.duplicates:
        problems.add(
            key,
            _("The key occurs twice in the same section (line %(line)d).") % {"line": line},
        )
    return data


def check_keys(
    data: dict,
    expected: tuple[str, ...],
    prefix: str,
    problems: Problems,
    optional: tuple[str, ...] = (),
) -> None:
    for key in expected:
        if key not in data:
            problems.add(f"{prefix}{key}", _("The key is missing."))
    allowed = (*expected, *optional)
    for key in data:
        if key not in allowed:
            problems.add(
                f"{prefix}{key}",
                _("Unknown key; the allowed keys are: %(keys)s.") % {"keys": ", ".join(allowed)},
            )


# The field readers below take the mapping, its key and the mapping's path prefix (e.g.
# "areas[2]." or "" at the top); they report a wrong value and return a harmless stand-in,
# so that validation goes on and every problem is found in one pass. A missing key is
# already reported by check_keys.


def text(data: dict, key: str, prefix: str, problems: Problems, max_length: int | None) -> str:
    value, path = data.get(key), f"{prefix}{key}"
    if key not in data:
        return ""
    if not isinstance(value, str):
        problems.add(path, _("The value must be a text."))
        return ""
    value = value.strip()
    if not value:
        problems.add(path, _("The text must not be empty."))
    elif max_length is not None and len(value) > max_length:
        problems.add(
            path,
            _("The text is %(length)d characters long; at most %(max)d characters are allowed.")
            % {"length": len(value), "max": max_length},
        )
    return value


def boolean(data: dict, key: str, prefix: str, problems: Problems) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        problems.add(f"{prefix}{key}", _("The value must be true or false."))
        return False
    return value


def date_value(data: dict, key: str, prefix: str, problems: Problems) -> date:
    value = data.get(key)
    if key not in data:
        return date.min
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.add(f"{prefix}{key}", _("The value must be a date in the form YYYY-MM-DD."))
    return date.min


def listed(data: dict, key: str, prefix: str, problems: Problems, *, non_empty: str = "") -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        problems.add(f"{prefix}{key}", _("The value must be a list."))
        return []
    if non_empty and key in data and not value:
        problems.add(f"{prefix}{key}", non_empty)
    return value


def choice(data: dict, key: str, choices, prefix: str, problems: Problems) -> str:
    """An optional value of ``choices``, its first value when not given."""
    value = data.get(key, choices.values[0])
    if value not in choices.values:
        problems.add(
            f"{prefix}{key}",
            _("Unknown value %(value)r; the allowed values are: %(allowed)s.")
            % {"value": value, "allowed": ", ".join(choices.values)},
        )
        return choices.values[0]
    return value


def mapping(data: dict, keys: tuple[str, ...], path: str, problems: Problems):
    """A mapping with exactly ``keys`` (the first required, the others optional)."""
    if not isinstance(data, dict):
        problems.add(path, _("The value must be a mapping with keys."))
        return None
    check_keys(data, keys[:1], f"{path}.", problems, keys[1:])
    return data
