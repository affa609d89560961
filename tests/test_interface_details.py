"""Small things a person trips over: an empty sign-in says what is missing, English dates
are not American, municipalities are listed by name, the seed summary reads right."""

import io
import re
from datetime import date, datetime

from django.core.management import call_command
from django.urls import reverse
from django.utils import formats, translation

from requirements.vocabulary import Municipality


def in_swedish(message: str) -> str:
    with translation.override("sv"):
        return translation.gettext(message)


# --- Sign-in --------------------------------------------------------------------------------


def test_an_empty_sign_in_says_what_is_missing_beside_each_field(client, db):
    response = client.post(reverse("login"), {"username": "", "password": ""})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary" role="alert"' in html
    required = in_swedish("This field is required.")
    for field in ("username", "password"):
        assert f'<a href="#id_{field}">' in html, "the summary links to the field"
        assert re.search(rf'<p class="field-error" id="id_{field}_error">.*{required}', html)
        assert f'aria-describedby="id_{field}_error"' in html


def test_a_wrong_password_still_says_so_once(client, reviewer):
    response = client.post(reverse("login"), {"username": reviewer.username, "password": "fel"})

    html = response.content.decode()
    assert html.count('role="alert"') == 1
    assert 'id="login-errors"' in html
    assert "error-summary" not in html


# --- Dates ----------------------------------------------------------------------------------


def test_english_dates_are_iso_and_british_never_american():
    day = date(2026, 12, 1)
    moment = datetime(2026, 12, 1, 14, 30)
    with translation.override("en"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "2026-12-01"
        assert formats.date_format(day) == "1 December 2026"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "2026-12-01 14:30"
        assert formats.date_format(moment, "DATETIME_FORMAT") == "1 December 2026, 14:30"
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1


def test_swedish_dates_stay_as_they_were():
    with translation.override("sv"):
        assert formats.date_format(date(2026, 12, 1), "SHORT_DATE_FORMAT") == "2026-12-01"
        assert formats.date_format(date(2026, 12, 1)) == "1 december 2026"


# --- Municipalities -------------------------------------------------------------------------

BY_NAME = ["Falkenberg", "Halmstad", "Hylte", "Kungsbacka", "Laholm", "Varberg"]


def test_municipalities_are_offered_by_name_not_by_code():
    assert [name for _code, name in Municipality.by_name()] == BY_NAME


def _options(html: str, select_name: str) -> list[str]:
    select = re.search(rf'<select name="{select_name}"[^>]*>(.*?)</select>', html, re.DOTALL)
    assert select, f"no select {select_name!r}"
    return [label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", select[1])]


def test_the_overview_and_review_filters_list_municipalities_by_name(client, reviewer):
    client.force_login(reviewer)

    for page in ("overview", "review_queue"):
        html = client.get(reverse(page)).content.decode()
        assert _options(html, "municipality")[1:] == BY_NAME, page


def test_the_admin_lists_municipalities_by_name(client, region_admin):
    client.force_login(region_admin)

    form = client.get(reverse("admin:clinics_clinic_add")).content.decode()
    assert _options(form, "municipality_code")[1:] == BY_NAME
    changelist = client.get(reverse("admin:clinics_clinic_changelist")).content.decode()
    positions = [
        changelist.index(f"municipality_code={code}") for code, _ in Municipality.by_name()
    ]
    assert positions == sorted(positions)


# --- The demo's summary ---------------------------------------------------------------------


def test_the_seed_summary_names_each_state_before_its_count(catalogue):
    out = io.StringIO()
    call_command("seed_demo", "--clinics", "30", "--seed", "5", stdout=out)

    summary = out.getvalue().splitlines()[0]
    approved = in_swedish("Approved")
    assert re.search(rf"{approved}: \d+", summary), summary
    assert not re.search(rf"\d+ {approved.lower()}", summary)
