"""The page registry is complete and exact, so the accessibility test checks every page.

No browser here: these run in the ordinary, fast suite, and fail the moment someone adds a
URL without saying whether it is a page (and who may see it) or not.
"""

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.browser.pages import ALL_ROLES, ANONYMOUS, NOT_PAGES, PAGES

# Whole URL trees that are checked elsewhere or are not ours to check.
EXCLUDED_PREFIXES = {
    # Django's own administration; the accessibility statement names it as a known gap.
    "admin/": "Django's admin",
    # The REST API answers JSON; its one HTML page, the Swagger UI at api/v1/docs/, has its
    # own axe test in test_accessibility (test_api_docs_pass_axe_for_a_viewer).
    "api/": "the REST API",
}


def _walk(patterns, prefix: str = ""):
    """Every (route, name) of the URLconf, following includes, outside the excluded trees."""
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if any(route.startswith(excluded) for excluded in EXCLUDED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.name


def _url_names() -> dict[str, str]:
    return {name: route for route, name in _walk(get_resolver().url_patterns) if name}


def test_every_url_is_either_a_listed_page_or_listed_as_not_a_page():
    listed = {page.name for page in PAGES} | set(NOT_PAGES)
    unlisted = sorted(
        f"{name!r} ({route})" for name, route in _url_names().items() if name not in listed
    )

    assert not unlisted, (
        "URL patterns missing from tests/browser/pages.py: add each to PAGES with the roles "
        "that may see it (so axe checks it), or to NOT_PAGES with the reason: "
        + ", ".join(unlisted)
    )


def test_every_url_has_a_name_so_that_it_can_be_listed():
    unnamed = sorted(route for route, name in _walk(get_resolver().url_patterns) if not name)

    assert not unnamed, f"Give these URL patterns a name and list them: {unnamed}"


def test_the_registry_lists_no_url_that_does_not_exist():
    names = set(_url_names())
    stale = sorted({page.name for page in PAGES} - names) + sorted(set(NOT_PAGES) - names)

    assert not stale, f"tests/browser/pages.py lists URL names that do not exist: {stale}"


def test_no_url_is_both_a_page_and_not_a_page():
    assert not {page.name for page in PAGES} & set(NOT_PAGES)


def test_every_role_the_registry_lists_gets_the_page_and_every_other_role_does_not(scenario):
    """The roles in PAGES are the roles axe checks: a role that can open a page but is
    not listed would be a page nobody checked."""
    wrong = []
    for page in PAGES:
        url = page.url(scenario)
        for role in ALL_ROLES:
            client = Client()
            if role != ANONYMOUS:
                client.force_login(scenario.users[role])
            status = client.get(url).status_code
            if (status == 200) != (role in page.roles):
                expected = "200" if role in page.roles else "a refusal or a redirect"
                wrong.append(f"{page.label} as {role}: {status}, expected {expected}")

    assert not wrong, "The registry's roles do not match the pages:\n" + "\n".join(wrong)
