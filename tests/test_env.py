"""Settings come from the environment and refuse values that make no sense."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from halland_utbud.env import env_bool, env_int, env_list, env_str


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("1", True), ("Yes", True), ("off", False), ("0", False), ("", False)],
)
def test_booleans_accept_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", default=not expected) is expected


def test_a_misspelt_boolean_stops_the_process(monkeypatch):
    monkeypatch.setenv("DEBUG", "ture")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG", default=False)


def test_an_unset_variable_takes_the_default(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)
    assert env_bool("FLAG", default=True) is True
    assert env_str("FLAG", default="x") == "x"
    assert env_int("FLAG", default=7) == 7
    assert env_list("FLAG", default=["a"]) == ["a"]


def test_a_number_that_is_not_a_number_stops_the_process(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        env_int("EMAIL_PORT", default=25)


def test_lists_are_comma_separated_and_trimmed(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " utbud.regionhalland.se, ,localhost ")
    assert env_list("ALLOWED_HOSTS", default=[]) == ["utbud.regionhalland.se", "localhost"]
