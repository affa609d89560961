"""Twenty reviewers deciding one case at the same moment give exactly one decision."""

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from clinics.models import CaseEvent, CaseState, ExemptionCase, Role
from clinics.services.cases import approve_case, create_case, reject_case, submit_case
from halland_utbud.errors import InvalidTransition
from requirements.vocabulary import ExemptionKind
from tests.factories import make_user

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_decisions_on_one_case_leave_exactly_one(
    on_postgresql, catalogue, clinic, reporter
):
    today = timezone.localdate()
    case = create_case(
        clinic=clinic,
        requirement=catalogue.requirements.get(code="webbtidbok.boka_direkt"),
        actor=reporter,
        exemption_kind=ExemptionKind.REQUEST_APPOINTMENT,
        reason_category="technical",
        justification="Journalsystemet saknar stöd för direktbokning.",
        requested_from=today,
        requested_until=today + timedelta(days=90),
    )
    submit_case(case=case, actor=reporter)
    reviewers = [make_user(Role.REVIEWER) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    results: list[tuple[str, int, str]] = []
    lock = threading.Lock()

    def decide(index: int) -> None:
        reviewer = reviewers[index]
        action = "approve" if index % 2 == 0 else "reject"
        try:
            barrier.wait()
            if action == "approve":
                approve_case(
                    case=case, actor=reviewer, valid_from=today, valid_until=today + timedelta(30)
                )
            else:
                reject_case(case=case, actor=reviewer, comment=f"Nej från {index}.")
            outcome = "won"
        except InvalidTransition:
            outcome = "refused"
        except Exception as error:  # any other outcome fails the assertions below
            outcome = f"error: {error!r}"
        finally:
            connections.close_all()  # each thread had its own connection
        with lock:
            results.append((outcome, reviewer.pk, action))

    threads = [threading.Thread(target=decide, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(results) == THREADS
    outcomes = sorted(outcome for outcome, _pk, _action in results)
    assert outcomes == ["refused"] * (THREADS - 1) + ["won"], outcomes
    [(_, winner_pk, winner_action)] = [r for r in results if r[0] == "won"]

    case = ExemptionCase.objects.get(pk=case.pk)
    expected_state = CaseState.APPROVED if winner_action == "approve" else CaseState.REJECTED
    assert (case.state, case.decided_by_id) == (expected_state, winner_pk)
    decisions = CaseEvent.objects.filter(case=case, from_state=CaseState.SUBMITTED)
    assert list(decisions.values_list("actor_id", "to_state")) == [(winner_pk, expected_state)]
