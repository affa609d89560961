"""Pages fit the screen people use: the region overview at 1,280 px shows every column of
its matrix without scrolling sideways, for each role that uses it, and leaves room for the
second report-status column the overview is to get."""

import pytest
from django.urls import reverse

from requirements.vocabulary import ClinicKind, Municipality
from tests.browser.conftest import VIEWPORT, sign_in_with_session, url_of
from tests.browser.pages import REGION_ADMIN, VIEWER
from tests.factories import make_clinic, make_provider

pytestmark = pytest.mark.browser

# The longest names a Halland register holds are about this long.
LONG_CLINIC = "Barn- och ungdomsmedicinska mottagningen Kungsbacka närsjukhus"
LONG_PROVIDER = "Hälsoringen Vårdcentraler i Södra Halland Aktiebolag"

# What the page's scroll boxes say about their width: the document's and the table's.
_WIDTHS = """() => {
  const wrap = document.querySelector('.table-wrap:has(#clinics-caption)');
  const doc = document.documentElement;
  return {
    docScroll: doc.scrollWidth, docClient: doc.clientWidth,
    wrapScroll: wrap.scrollWidth, wrapClient: wrap.clientWidth,
    columns: wrap.querySelectorAll('thead th').length,
  };
}"""


@pytest.fixture
def long_names(scenario):
    """The scenario's clinics, and one whose name and provider's name are as long as any."""
    make_clinic(
        provider=make_provider(name=LONG_PROVIDER),
        name=LONG_CLINIC,
        kind=ClinicKind.SPECIALIST,
        municipality_code=Municipality.KUNGSBACKA,
    )
    return scenario


def assert_fits(page) -> dict:
    widths = page.evaluate(_WIDTHS)
    assert widths["docScroll"] <= widths["docClient"], f"the page scrolls sideways: {widths}"
    assert widths["wrapScroll"] <= widths["wrapClient"], f"the table scrolls sideways: {widths}"
    return widths


@pytest.mark.parametrize("role", [REGION_ADMIN, VIEWER])
def test_the_overview_fits_1280_px_with_every_area_shown(page, live_server, long_names, role):
    assert page.viewport_size["width"] == VIEWPORT["width"] == 1280
    sign_in_with_session(page, live_server, long_names.users[role])
    page.goto(url_of(live_server, reverse("overview")))

    widths = assert_fits(page)
    areas = long_names.catalogue.areas.filter(in_baseline=True).count()
    assert areas == 7
    # Clinic, approved report in force, reporting under way, baseline, general, share, the
    # areas, municipality, provider.
    assert widths["columns"] == 8 + areas
    assert page.get_by_role("link", name=LONG_CLINIC).is_visible()


def test_the_clinic_column_stays_in_place_when_the_table_scrolls(page, live_server, scenario):
    page.set_viewport_size({"width": 800, "height": 900})
    sign_in_with_session(page, live_server, scenario.users[VIEWER])
    page.goto(url_of(live_server, reverse("overview")))
    wrap = page.locator(".table-wrap:has(#clinics-caption)")
    clinic = page.locator("table:has(#clinics-caption) tbody th").first
    before = clinic.bounding_box()["x"]

    wrap.evaluate("el => { el.scrollLeft = el.scrollWidth; }")

    assert wrap.evaluate("el => el.scrollLeft") > 0, "a narrow window scrolls the table"
    assert clinic.bounding_box()["x"] == pytest.approx(before, abs=1)
