"""A recompute's progress bar moves without a reload where JavaScript runs, and the page
shows the result once the worker has finished."""

import pytest
from django.urls import reverse
from django.utils import timezone

from followup.figures import STEPS
from followup.models import Recompute, RecomputeState
from tests.browser.conftest import (
    assert_no_axe_violations,
    axe_violations,
    record_check,
    sign_in,
    url_of,
)
from tests.browser.pages import REGION_ADMIN

pytestmark = pytest.mark.browser


def test_the_progress_bar_follows_the_worker_without_a_reload(
    page, live_server, scenario, checked_pages
):
    admin = scenario.users[REGION_ADMIN]
    recompute = Recompute.objects.create(
        requested_by=admin,
        requested_at=timezone.now(),
        state=RecomputeState.RUNNING,
        done=2,
        total=STEPS,
    )
    sign_in(page, live_server, admin)
    page.goto(url_of(live_server, reverse("recompute_detail", args=[recompute.pk])))
    bar = page.locator("progress")
    assert bar.get_attribute("value") == "2"
    violations = axe_violations(page)
    record_check(checked_pages, "recompute_detail (running)", REGION_ADMIN, page.url, violations)
    assert_no_axe_violations(page, "recompute_detail (running)", violations)
    page.evaluate("window.notReloaded = true")

    # The worker moves on: the bar follows, in the same page.
    Recompute.objects.filter(pk=recompute.pk).update(done=11)
    # A function, not a string: the page's Content-Security-Policy refuses eval.
    page.wait_for_function("() => document.querySelector('progress').value === 11", timeout=10_000)
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("#recompute-done").inner_text() == "11"

    # It finishes: the page shows the result.
    Recompute.objects.filter(pk=recompute.pk).update(
        done=STEPS,
        state=RecomputeState.DONE,
        finished_at=timezone.now(),
        as_of=timezone.localdate(),
        periods="2026-12",
        rows=42,
    )
    page.wait_for_selector(".message--success", timeout=10_000)
    assert "42" in page.locator(".message--success").inner_text()
