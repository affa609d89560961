import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.api.helpers import client_for

SCHEMA = reverse("api:schema")
DOCS = reverse("api:docs")


def test_the_schema_generates_and_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    # --fail-on-warn turns every warning (an untyped field, an enum name collision, a
    # parameter the generator could not guess) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = target.read_text()
    for path in [
        "/api/v1/providers/",
        "/api/v1/clinics/",
        "/api/v1/clinics/{id}/",
        "/api/v1/clinics/{id}/compliance/",
        "/api/v1/catalogue/versions/",
        "/api/v1/catalogue/requirements/",
    ]:
        assert f"{path}:" in schema
    assert "name: on_date" in schema
    assert "name: meets_baseline" in schema


def test_the_schema_is_served_to_a_signed_in_user(viewer):
    response = client_for(viewer).get(SCHEMA, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/clinics/{id}/compliance/" in paths


@pytest.fixture
def docs_page(viewer):
    client = client_for(viewer)
    response = client.get(DOCS)
    return client, response


def _assets(html: str) -> list[str]:
    return [url.replace("&amp;", "&") for url in re.findall(r'(?:src|href)="([^"]+)"', html)]


def _start_script(client, html: str) -> str:
    """Swagger UI's start script, served from the docs' own URL (no inline script)."""
    [url] = [asset for asset in _assets(html) if asset.startswith(f"{DOCS}?")]
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_docs_page_is_served_to_a_signed_in_user(docs_page):
    client, response = docs_page

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert SCHEMA in _start_script(client, response.content.decode())


def test_the_docs_page_loads_nothing_from_another_host(docs_page):
    client, response = docs_page
    html = response.content.decode()

    assert "cdn" not in html.lower()
    assets = _assets(html)
    assert assets, "the page should load Swagger UI's script and style"
    # The sidecar ships Swagger UI; our stylesheet only darkens its colours for contrast;
    # the start script comes from the docs' own URL.
    assert all(
        asset.startswith(("/static/drf_spectacular_sidecar/", "/static/css/", f"{DOCS}?"))
        for asset in assets
    )
    assert not re.search(r"https?://", html)
    script = _start_script(client, html)
    assert not re.search(r"https?://", script)
    # Swagger UI's own default would fetch a badge from validator.swagger.io.
    assert '"validatorUrl": null' in script


def test_the_docs_page_assets_are_served_by_the_app(docs_page):
    client, response = docs_page

    for asset in _assets(response.content.decode()):
        asset_response = client.get(asset)
        assert asset_response.status_code == 200, asset
        if asset_response.streaming:
            b"".join(asset_response.streaming_content)
