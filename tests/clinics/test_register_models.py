"""The register's rules that the database and the models keep."""

import pytest
from django.db import IntegrityError

from clinics.models import Provider
from requirements.vocabulary import ProviderKind
from tests.factories import make_clinic


def test_an_organisation_number_is_stored_in_one_spelling(db):
    provider = Provider(name="Region Halland", organisation_number="2321000115")
    provider.kind = ProviderKind.REGION
    provider.full_clean()
    provider.save()
    assert provider.organisation_number == "232100-0115"


def test_the_database_refuses_a_second_spelling_of_an_organisation_number(db):
    with pytest.raises(IntegrityError):
        Provider.objects.create(
            name="Region Halland", organisation_number="2321000115", kind=ProviderKind.REGION
        )


def test_a_clinic_cannot_close_before_it_opened(db):
    clinic = make_clinic()
    clinic.active_from = clinic.active_until = None
    with pytest.raises(IntegrityError):
        type(clinic).objects.filter(pk=clinic.pk).update(
            active_from="2024-01-02", active_until="2024-01-01"
        )


def test_every_change_to_a_clinic_is_kept_in_its_history(db):
    clinic = make_clinic(name="Vårdcentralen Gamla")
    clinic.name = "Vårdcentralen Nya"
    clinic.save()
    assert [h.name for h in clinic.history.order_by("history_date")] == [
        "Vårdcentralen Gamla",
        "Vårdcentralen Nya",
    ]
