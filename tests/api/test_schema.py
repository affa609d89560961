import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

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


def _operations():
    schema = SchemaGenerator(api_version="1").get_schema(public=True)
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", method, operation


def test_every_operation_documents_its_errors_with_the_error_body():
    for label, method, operation in _operations():
        responses = operation["responses"]
        # Every operation can be sent a bad parameter or body, without a valid token, past
        # the rate, and may fail.
        expected = {"400", "401", "429", "500"}
        if method == "post":
            # Writes go through a service that checks the actor, what it names, the state.
            expected |= {"403", "404", "409"}
        if "{id}" in label:
            expected.add("404")
        assert expected <= set(responses), (label, sorted(responses))
        for status in expected:
            body = responses[status]["content"]["application/json"]["schema"]["$ref"]
            assert body.startswith("#/components/schemas/"), (label, status)


def test_the_error_bodies_have_a_type_and_errors_with_code_detail_and_attr():
    components = SchemaGenerator(api_version="1").get_schema(public=True)["components"]
    for name in ["ValidationErrorResponse", "ConflictResponse", "ErrorResponse429"]:
        body = components["schemas"][name]
        assert set(body["required"]) == {"type", "errors"}, name


def test_the_comment_of_reject_return_and_revoke_is_required():
    schema = SchemaGenerator(api_version="1").get_schema(public=True)
    for name in ["reject", "return", "revoke"]:
        operation = schema["paths"][f"/api/v1/cases/{{id}}/{name}/"]["post"]
        body = operation["requestBody"]
        assert body["required"] is True
        ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        assert schema["components"]["schemas"][ref]["required"] == ["comment"]


def test_the_paging_parameters_say_they_are_whole_numbers():
    for label, _method, operation in _operations():
        for parameter in operation.get("parameters", []):
            if parameter["name"] in ("page", "page_size"):
                assert parameter["schema"]["type"] == "integer", label


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
