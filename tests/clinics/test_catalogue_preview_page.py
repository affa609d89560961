"""The catalogue revision's preview page: upload, see the impact, import or leave it;
region admins only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clinics.demo import seed_demo
from clinics.models import CatalogueUpload, Role
from requirements.models import CatalogueVersion
from tests.clinics.test_catalogue_preview import REVISION_2_PATH
from tests.factories import make_user
from tests.seeded import built_once

START = reverse("catalogue_preview_start")


def revision_2_file(name="rs220477-revision-2.yaml"):
    return SimpleUploadedFile(name, REVISION_2_PATH.read_bytes(), content_type="application/yaml")


@pytest.fixture(scope="module")
def _seeded_register(django_db_setup, django_db_blocker):
    yield from built_once(django_db_blocker, lambda: seed_demo(clinics=30, seed=5))


@pytest.fixture
def demo(_seeded_register, catalogue):
    """A demo register of 30 clinics, seeded once for the module (every test here uses
    it)."""


@pytest.fixture
def admin(db):
    return make_user(Role.REGION_ADMIN)


@pytest.fixture
def upload(demo, admin, client):
    client.force_login(admin)
    response = client.post(START, {"file": revision_2_file()})
    assert response.status_code == 302
    client.logout()
    return CatalogueUpload.objects.get()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER, Role.CLINIC_REPORTER])
def test_only_region_admins_reach_the_preview(client, upload, role):
    client.force_login(make_user(role))
    pages = [START, reverse("catalogue_preview", args=[upload.pk])]

    assert [client.get(page).status_code for page in pages] == [403, 403]
    assert client.post(START, {"file": revision_2_file()}).status_code == 403
    assert client.post(reverse("catalogue_preview_import", args=[upload.pk])).status_code == 403
    assert CatalogueUpload.objects.count() == 1
    assert CatalogueVersion.objects.count() == 1


def test_anonymous_is_sent_to_sign_in(client, upload):
    assert client.get(START).status_code == 302
    assert client.get(reverse("catalogue_preview", args=[upload.pk])).status_code == 302


def test_the_preview_shows_what_would_change_and_imports_nothing(client, upload, admin):
    client.force_login(admin)

    response = client.get(reverse("catalogue_preview", args=[upload.pk]))

    assert response.status_code == 200
    impact = response.context["impact"]
    assert impact.clinics > 0
    page = response.content.decode()
    assert "journalen.medarbetare_kannedom" in page
    for key, movement in impact.movements.items():
        label = "Hela grundutbudet" if key == "baseline" else f"<code>{key}</code>"
        assert (
            f'{label}</th><td class="number">{movement.to_not_met}</td>'
            f'<td class="number">{movement.to_met}</td>'
        ) in page
    assert CatalogueVersion.objects.count() == 1


def test_confirming_imports_the_file_as_previewed(client, upload, admin):
    client.force_login(admin)

    response = client.post(reverse("catalogue_preview_import", args=[upload.pk]), follow=True)

    assert response.status_code == 200
    version = CatalogueVersion.objects.get(revision=2)
    upload.refresh_from_db()
    assert (upload.imported_as, upload.imported_by) == (version, admin)
    assert version.content_hash == upload.content_hash
    # Once is enough: a second confirmation imports nothing more.
    client.post(reverse("catalogue_preview_import", args=[upload.pk]))
    assert CatalogueVersion.objects.count() == 2


def test_a_broken_file_lists_every_problem_by_its_key_and_keeps_nothing(client, demo, admin):
    client.force_login(admin)
    broken = (
        REVISION_2_PATH.read_text(encoding="utf-8")
        .replace("        level: advisory\n", "        level: maybe\n")
        .replace("at_least_met: 1\n", "at_least_met: -1\n")
    )

    response = client.post(START, {"file": SimpleUploadedFile("fel.yaml", broken.encode("utf-8"))})

    assert response.status_code == 400
    keys = [problem.key for problem in response.context["problems"]]
    assert any(key.endswith(".level") for key in keys)
    assert any(key.endswith("at_least_met") for key in keys)
    assert not CatalogueUpload.objects.exists()


def test_a_file_that_is_not_utf8_is_refused_in_words(client, demo, admin):
    client.force_login(admin)

    response = client.post(
        START, {"file": SimpleUploadedFile("latin1.yaml", "år".encode("latin-1"))}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["file"]
