import pytest

from tests.followup.test_overview_page import Region


@pytest.fixture
def region(catalogue) -> Region:
    """Six clinics whose totals are known (see ``Region``)."""
    return Region(catalogue)
