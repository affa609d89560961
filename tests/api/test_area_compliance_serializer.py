"""An area's compliance is written out by hand (``AreaComplianceSerializer``, for the
clinics API's speed): it gives exactly what its declared fields would, key by key."""

import json

import pytest
from rest_framework import serializers

from clinics.api.serializers import AreaComplianceSerializer, ComplianceCatalogue
from followup.api.views import AreaSummary


@pytest.mark.parametrize(
    "area",
    [
        AreaSummary("npo", in_baseline=True, met=3, applicable=4),
        AreaSummary("hemsida", in_baseline=False, met=0, applicable=0),
        AreaSummary("unnamed", in_baseline=True, met=2, applicable=2),
    ],
)
def test_the_written_out_area_is_what_the_declared_fields_give(area):
    catalogue = ComplianceCatalogue(version=None, area_names={"npo": "NPÖ", "hemsida": "1177"})
    serializer = AreaComplianceSerializer(context={"catalogue": catalogue})

    by_fields = serializers.Serializer.to_representation(serializer, area)

    assert json.dumps(serializer.to_representation(area)) == json.dumps(by_fields)
