"""The schema tells the truth: schemathesis sends generated requests to the live test
server, over HTTP, as a viewer, a clinic reporter and a reviewer, and every answer must be
one the schema documents: no server error, no status code it does not list, no body or
content type other than it says.

Every operation of the schema is fuzzed with data that fits it (positive) and data that
does not (negative), with random ids and with the ids of real objects of the access
matrix's world (clinics, cases in each state, a catalogue version), so that the 403, 404
and 409 answers are reached as well as the 200s. Writes are part of it (a reviewer may
well approve a case): the world is the test's own.

The number of examples is bounded and the generation derandomized, so that a run is the
same every time and the module takes well under three minutes. A run that generated no
request for an operation fails: it cannot pass by testing nothing.
"""

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from clinics.models import ExemptionCase
from tests.access_matrix_world import REPORTER_HERE, REVIEWER, VIEWER, build_world
from tests.api.helpers import token_client_for

pytestmark = pytest.mark.fuzz

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    # A request the schema does not allow (page_size=0, on_date=tomorrow's weather) is
    # refused, never answered as if it were fine.
    negative_data_rejection,
]
EXAMPLES = {GenerationMode.POSITIVE: 6, GenerationMode.NEGATIVE: 3}


@pytest.fixture
def world(settings, catalogue, live_server):
    # The 429 stays documented (tests/api/test_throttling.py); here it would only stop
    # the run half-way.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "100000/minute", "anon": "100000/minute"},
    }
    return build_world(catalogue)


def _real_ids(world, path: str) -> list[int]:
    """The ids of real objects for a path's ``{id}``, so that generated requests reach
    them and not only 404s."""
    if path.startswith("/api/v1/cases/"):
        return list(ExemptionCase.objects.order_by("pk").values_list("pk", flat=True))
    if path.startswith("/api/v1/clinics/"):
        return [clinic.pk for clinic in world.scenario.clinics]
    if path.startswith("/api/v1/providers/"):
        return [provider.pk for provider in world.scenario.providers]
    return [world.catalogue.pk]


def _strategies(operation, world, mode: GenerationMode):
    yield operation.as_strategy(generation_mode=mode)
    # A real id is valid: data that does not fit is generated for the rest, if any.
    if "{id}" in operation.path and mode.is_positive:
        yield st.one_of(
            operation.as_strategy(generation_mode=mode, path_parameters={"id": pk})
            for pk in _real_ids(world, operation.path)
        )


def _schema():
    """The schema as the app serves it, in the default language."""
    return schemathesis.openapi.from_dict(SchemaGenerator(api_version="1").get_schema(public=True))


def _fuzz(operation, world, base_url: str, headers: dict, sent: dict) -> list[str]:
    """Every strategy of the operation, in both modes; what each found, if anything."""
    findings = []
    for mode, examples in EXAMPLES.items():
        for strategy in _strategies(operation, world, mode):

            @given(case=strategy)
            @hypothesis_settings(
                max_examples=examples,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def send(case):
                sent[case.operation.label] += 1
                case.call_and_validate(
                    base_url=base_url, headers=headers, checks=CHECKS, timeout=30
                )

            try:
                send()
            except (Exception, BaseExceptionGroup) as failure:  # every finding is reported
                findings.append(f"{operation.label} ({mode.value}): {failure}")
    return findings


def test_every_generated_request_is_answered_as_the_schema_documents(world, live_server):
    # One world for the three roles: building it costs more than fuzzing as one of them.
    operations = [result.ok() for result in _schema().get_all_operations()]
    assert operations, "the schema lists no operation"
    findings: list[str] = []
    for role in (VIEWER, REPORTER_HERE, REVIEWER):
        # Through the token helper alone: it decides what a token is.
        token = token_client_for(world.users[role])._credentials["HTTP_AUTHORIZATION"]
        sent = dict.fromkeys((operation.label for operation in operations), 0)
        for operation in operations:
            findings += [
                f"as {role}: {finding}"
                for finding in _fuzz(
                    operation, world, live_server.url, {"Authorization": token}, sent
                )
            ]
        assert all(sent.values()), (role, [label for label, n in sent.items() if not n])

    assert not findings, "\n\n".join(findings)
