"""Every page of the registry, for every role that may see it, works under the
Content-Security-Policy: the header is there, and the browser reports no violation (an
inline script or style, an image or a font from elsewhere) while the page loads.

One browser context per role, so each role signs in once and the pages follow one another
quickly: the scenario is the registry's, shared with the accessibility test.
"""

import pytest
from django.urls import NoReverseMatch

from tests.browser.conftest import sign_in_with_session, url_of
from tests.browser.pages import ANONYMOUS, PAGES, SIGNED_IN_ROLES, VIEWER

pytestmark = pytest.mark.browser

# Recorded by the page before any of its own scripts run: the browser fires this event on
# the document for every refused script, style, image, font or connection.
_RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", event => {
  window.__cspViolations.push(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile || event.documentURI}:${event.lineNumber}`
  );
});
"""


def _open_and_collect(page, live_server, path: str) -> tuple[int, str | None, list[str]]:
    console: list[str] = []

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            console.append(message.text)

    page.on("console", on_console)
    try:
        response = page.goto(url_of(live_server, path))
        page.wait_for_load_state("load")
        violations = page.evaluate("() => window.__cspViolations") or []
    finally:
        page.remove_listener("console", on_console)
    assert response is not None
    return response.status, response.header_value("content-security-policy"), console + violations


@pytest.mark.parametrize("role", [ANONYMOUS, *SIGNED_IN_ROLES])
def test_every_page_runs_under_the_policy_without_a_violation(
    role, browser, context, live_server, scenario
):
    page = context.new_page()
    page.add_init_script(_RECORD_VIOLATIONS)
    if role != ANONYMOUS:
        sign_in_with_session(page, live_server, scenario.users[role])

    problems = []
    for entry in (entry for entry in PAGES if role in entry.roles):
        try:
            path = entry.url(scenario)
        except NoReverseMatch:
            continue  # not built yet: the accessibility test says so
        status, policy, violations = _open_and_collect(page, live_server, path)
        if status != 200:
            problems.append(f"{entry.label} ({path}): HTTP {status}")
        elif not policy or "script-src 'self'" not in policy:
            problems.append(f"{entry.label} ({path}): no Content-Security-Policy header")
        problems.extend(f"{entry.label} ({path}): {violation}" for violation in violations)

    assert not problems, f"As {role}:\n" + "\n".join(problems)


def test_the_api_docs_run_under_their_policy_without_a_violation(context, live_server, scenario):
    page = context.new_page()
    page.add_init_script(_RECORD_VIOLATIONS)
    sign_in_with_session(page, live_server, scenario.users[VIEWER])

    status, policy, violations = _open_and_collect(page, live_server, "/api/v1/docs/")
    # Swagger UI draws the schema with its script: that it shows proves the script ran.
    page.locator(".opblock").first.wait_for()
    violations += page.evaluate("() => window.__cspViolations")

    assert status == 200
    assert policy
    assert "'unsafe-inline'" not in policy
    assert not violations, "\n".join(violations)
