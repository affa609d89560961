import pytest

from clinics.models import Role
from tests.factories import make_clinic, make_user


@pytest.fixture
def sibling_clinic(clinic):
    """Another clinic of ``clinic``'s provider."""
    return make_clinic(provider=clinic.provider)


@pytest.fixture
def coordinator(clinic, sibling_clinic):
    """A provider's coordinator: a clinic reporter linked to ``clinic``'s provider."""
    return make_user(Role.CLINIC_REPORTER, providers=[clinic.provider])
