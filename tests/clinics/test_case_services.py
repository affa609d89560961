"""Exemption cases: the state table, who may do what, four eyes, and the decision mail."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from clinics.access import visible_cases
from clinics.models import (
    CaseEvent,
    CaseKind,
    CaseState,
    ExemptionCase,
    Notification,
    NotificationKind,
    Role,
)
from clinics.notifications.cases import send_decision_notice
from clinics.services.cases import (
    TRANSITIONS,
    CaseAlreadyOpen,
    approve_case,
    create_case,
    expire_case,
    expire_due_cases,
    reject_case,
    return_case,
    revoke_case,
    submit_case,
    update_case,
)
from halland_utbud.errors import ApplicationError, InvalidTransition, NotAllowed
from requirements.vocabulary import ExemptionKind
from tests.api.helpers import make_catalogue_version
from tests.factories import make_user

BOOKING = "webbtidbok.boka_direkt"


def today():
    return timezone.localdate()


@pytest.fixture
def requirement(catalogue):
    return catalogue.requirements.get(code=BOOKING)


def request(clinic, actor, requirement, **fields):
    values = {
        "exemption_kind": ExemptionKind.REQUEST_APPOINTMENT,
        "reason_category": "technical",
        "justification": "Journalsystemet saknar stöd för direktbokning.",
        "alternative": "E-tjänsten Beställa tid på 1177.",
        "links": ["https://intra.example.se/utredning.pdf"],
        "requested_from": today(),
        "requested_until": today() + timedelta(days=90),
    }
    values.update(fields)
    return create_case(clinic=clinic, requirement=requirement, actor=actor, **values)


@pytest.fixture
def draft(clinic, reporter, requirement):
    return request(clinic, reporter, requirement)


@pytest.fixture
def submitted(draft, reporter):
    return submit_case(case=draft, actor=reporter)


@pytest.fixture
def actors(clinic, other_clinic, reporter, reviewer, region_admin, viewer):
    return {
        "reporter of the clinic": reporter,
        "reporter of another clinic": make_user(Role.CLINIC_REPORTER, clinics=[other_clinic]),
        "reviewer": reviewer,
        "region admin": region_admin,
        "viewer": viewer,
    }


ACTIONS = {
    "submit": lambda case, actor: submit_case(case=case, actor=actor),
    "approve": lambda case, actor: approve_case(
        case=case, actor=actor, valid_from=today(), valid_until=today() + timedelta(days=90)
    ),
    "reject": lambda case, actor: reject_case(case=case, actor=actor, comment="Skäl saknas."),
    "return": lambda case, actor: return_case(case=case, actor=actor, comment="Bifoga utredning."),
    "revoke": lambda case, actor: revoke_case(case=case, actor=actor, comment="Bokning finns."),
}
ACTOR_OF = {
    "submit": "reporter of the clinic",
    "approve": "reviewer",
    "reject": "reviewer",
    "return": "reviewer",
    "revoke": "reviewer",
}


def put_in_state(case, state):
    """Move the case straight to ``state`` (as the services would have), for the table tests."""
    decided = state in CaseState.decided_states()
    ExemptionCase.objects.filter(pk=case.pk).update(
        state=state,
        valid_from=today() if decided else None,
        valid_until=today() + timedelta(days=90) if decided else None,
    )
    case.refresh_from_db()
    return case


# --- Requests ---------------------------------------------------------------------------


def test_a_reporter_requests_an_exemption_as_a_draft(draft, reporter):
    assert draft.state == CaseState.DRAFT
    assert draft.kind == CaseKind.EXEMPTION
    assert draft.requester == reporter
    assert list(draft.events.values_list("actor", "from_state", "to_state")) == [
        (reporter.pk, "", CaseState.DRAFT)
    ]
    assert draft.history.get().history_user == reporter


def test_an_own_platform_is_a_case_of_platform_approval(catalogue, clinic, reporter):
    platform = next(
        r
        for r in catalogue.requirements.all()
        if ExemptionKind.OWN_PLATFORM_APPROVAL in r.exemption_kinds
    )
    case = request(
        clinic,
        reporter,
        platform,
        exemption_kind=ExemptionKind.OWN_PLATFORM_APPROVAL,
        requested_until=None,
    )
    assert case.kind == CaseKind.PLATFORM_APPROVAL


def test_an_exemption_the_catalogue_does_not_allow_is_refused(catalogue, clinic, reporter):
    homepage = catalogue.requirements.filter(exemption_kinds=[]).first()
    with pytest.raises(ApplicationError) as error:
        request(clinic, reporter, homepage)
    assert set(error.value.extra["errors"]) == {"exemption_kind"}
    assert not ExemptionCase.objects.exists()


def test_a_requirement_of_a_catalogue_no_longer_in_force_is_refused(requirement, clinic, reporter):
    make_catalogue_version(effective_from=today() - timedelta(days=1), revision=2)
    with pytest.raises(ApplicationError) as error:
        request(clinic, reporter, requirement)
    assert "requirement" in error.value.extra["errors"]


def test_an_end_date_is_required_unless_the_catalogue_allows_a_permanent_exemption(
    requirement, clinic, reporter
):
    assert request(clinic, reporter, requirement, requested_until=None).requested_until is None
    requirement.permanent_exemption_allowed = False
    requirement.save()
    with pytest.raises(ApplicationError) as error:
        request(clinic, reporter, requirement, requested_until=None)
    assert set(error.value.extra["errors"]) == {"requested_until"}


def test_the_requested_period_cannot_end_before_it_starts(requirement, clinic, reporter):
    with pytest.raises(ApplicationError) as error:
        request(clinic, reporter, requirement, requested_until=today() - timedelta(days=1))
    assert set(error.value.extra["errors"]) == {"requested_until"}


def test_links_must_be_complete_https_addresses(requirement, clinic, reporter):
    with pytest.raises(ApplicationError) as error:
        request(clinic, reporter, requirement, links=["https://a.example.se/1", "http://b.se"])
    assert error.value.extra["errors"] == {
        "links": "Varje länk måste vara en webbadress som börjar med https://: http://b.se"
    }


def test_links_are_kept_as_a_list_without_spaces_or_empty_entries(requirement, clinic, reporter):
    case = request(
        clinic, reporter, requirement, links=["  https://a.example.se/1 ", "", "https://b.se"]
    )
    case.refresh_from_db()
    assert case.links == ["https://a.example.se/1", "https://b.se"]


def test_links_are_a_list_never_text_to_guess_at(requirement, clinic, reporter):
    with pytest.raises(TypeError):
        request(clinic, reporter, requirement, links="https://a.example.se/1")


def test_a_justification_and_a_known_reason_are_required(requirement, clinic, reporter):
    with pytest.raises(ApplicationError) as error:
        request(clinic, reporter, requirement, justification="  ", reason_category="budget")
    assert set(error.value.extra["errors"]) == {"justification", "reason_category"}


def test_a_renewal_follows_a_decided_case_of_the_same_clinic_and_requirement(
    submitted, requirement, clinic, other_clinic, reporter, reviewer
):
    with pytest.raises(ApplicationError) as error:
        request(clinic, reporter, requirement, renews=submitted)
    assert set(error.value.extra["errors"]) == {"renews"}

    approve_case(case=submitted, actor=reviewer, valid_from=today())
    renewal = request(clinic, reporter, requirement, renews=submitted)
    assert renewal.renews == submitted

    other_reporter = make_user(Role.CLINIC_REPORTER, clinics=[other_clinic])
    with pytest.raises(ApplicationError):
        request(other_clinic, other_reporter, requirement, renews=submitted)


@pytest.mark.parametrize(
    "role", ["reporter of another clinic", "reviewer", "region admin", "viewer"]
)
def test_only_the_clinics_reporters_request_for_it(actors, role, requirement, clinic):
    with pytest.raises(NotAllowed):
        request(clinic, actors[role], requirement)
    assert not ExemptionCase.objects.exists()


# --- One open request per clinic and exemption ------------------------------------------


@pytest.mark.parametrize("state", CaseState.open_states())
def test_a_second_request_for_an_open_exemption_leads_to_the_open_one(
    draft, clinic, reporter, requirement, state
):
    open_case = put_in_state(draft, state)
    coordinator = make_user(Role.CLINIC_REPORTER, providers=[clinic.provider])

    with pytest.raises(CaseAlreadyOpen) as refused:
        request(clinic, coordinator, requirement, justification="Ett annat skäl.")

    assert refused.value.case == open_case
    assert refused.value.extra == {"case": open_case.pk}
    assert ExemptionCase.objects.count() == 1


@pytest.mark.parametrize("state", CaseState.decided_states())
def test_a_decided_request_leaves_room_for_a_new_one(draft, clinic, reporter, requirement, state):
    put_in_state(draft, state)

    assert request(clinic, reporter, requirement).state == CaseState.DRAFT


def _npo_request(clinic, reporter, catalogue):
    return request(
        clinic,
        reporter,
        catalogue.requirements.get(code="npo.ansluten"),
        exemption_kind=ExemptionKind.DOCUMENTATION_OTHERWISE_AVAILABLE,
    )


def test_another_requirement_or_another_clinic_is_a_request_of_its_own(
    draft, catalogue, clinic, other_clinic, reporter, requirement
):
    other_reporter = make_user(Role.CLINIC_REPORTER, clinics=[other_clinic])

    assert _npo_request(clinic, reporter, catalogue).clinic == clinic
    assert request(other_clinic, other_reporter, requirement).clinic == other_clinic
    assert ExemptionCase.objects.filter(state=CaseState.DRAFT).count() == 3


def test_a_draft_cannot_be_changed_into_a_second_open_request(
    draft, catalogue, clinic, reporter, requirement
):
    npo = _npo_request(clinic, reporter, catalogue)

    with pytest.raises(ApplicationError) as refused:
        update_case(
            case=npo,
            actor=reporter,
            requirement=requirement,
            exemption_kind=draft.exemption_kind,
        )

    assert refused.value.extra["errors"] == {
        "exemption_kind": "Mottagningen har redan en öppen ansökan om det här undantaget."
    }
    npo.refresh_from_db()
    assert npo.requirement.code == "npo.ansluten"


def test_a_provider_coordinator_requests_for_the_providers_clinics(requirement, clinic):
    coordinator = make_user(Role.CLINIC_REPORTER, providers=[clinic.provider])
    assert request(clinic, coordinator, requirement).clinic == clinic


def test_a_draft_or_returned_case_is_changed_with_its_history(draft, reporter, reviewer):
    update_case(case=draft, actor=reporter, justification="Ny utredning.")
    submit_case(case=draft, actor=reporter)
    return_case(case=draft, actor=reviewer, comment="Komplettera.")
    changed = update_case(case=draft, actor=reporter, links=["https://c.example.se"])
    assert changed.state == CaseState.RETURNED
    assert changed.justification == "Ny utredning."
    assert changed.history.count() == 5


@pytest.mark.parametrize("state", sorted(set(CaseState.values) - {"draft", "returned"}))
def test_a_submitted_or_decided_case_is_never_edited(draft, reporter, state):
    put_in_state(draft, state)
    with pytest.raises(InvalidTransition):
        update_case(case=draft, actor=reporter, justification="Ändrad.")
    draft.refresh_from_db()
    assert draft.justification != "Ändrad."


@pytest.mark.parametrize(
    "role", ["reporter of another clinic", "reviewer", "region admin", "viewer"]
)
def test_only_the_clinics_reporters_change_a_draft(actors, role, draft):
    with pytest.raises(NotAllowed):
        update_case(case=draft, actor=actors[role], justification="Ändrad.")


def test_update_accepts_only_the_fields_a_reporter_may_change(draft, reporter, reviewer):
    with pytest.raises(TypeError):
        update_case(case=draft, actor=reporter, state=CaseState.APPROVED)
    with pytest.raises(TypeError):
        update_case(case=draft, actor=reporter, decided_by=reviewer)


def test_a_reporter_sees_only_the_cases_of_their_clinics(draft, actors):
    assert list(visible_cases(actors["reporter of the clinic"])) == [draft]
    assert not visible_cases(actors["reporter of another clinic"]).exists()
    for role in ("reviewer", "region admin", "viewer"):
        assert list(visible_cases(actors[role])) == [draft]


# --- The state table --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "from_state"), [key for key in TRANSITIONS if key[0] != "expire"]
)
def test_every_transition_in_the_table_is_made_by_its_actor_with_an_event(
    draft, actors, action, from_state
):
    case = put_in_state(draft, from_state)
    actor = actors[ACTOR_OF[action]]
    result = ACTIONS[action](case, actor)
    assert result.state == TRANSITIONS[(action, from_state)]
    case.refresh_from_db()
    assert case.state == result.state
    event = case.events.last()
    assert (event.actor, event.from_state, event.to_state) == (actor, from_state, case.state)
    assert case.history.first().history_user == actor


def test_every_transition_not_in_the_table_is_refused(draft, actors):
    for state in CaseState.values:
        for action, run in ACTIONS.items():
            if (action, state) in TRANSITIONS:
                continue
            case = put_in_state(draft, state)
            events = CaseEvent.objects.count()
            with pytest.raises(InvalidTransition):
                run(case, actors[ACTOR_OF[action]])
            case.refresh_from_db()
            assert case.state == state, (action, state)
            assert CaseEvent.objects.count() == events


ROLES = [
    "reporter of the clinic",
    "reporter of another clinic",
    "reviewer",
    "region admin",
    "viewer",
]


@pytest.mark.parametrize(
    ("action", "role"),
    [(action, role) for action in sorted(ACTIONS) for role in ROLES if ACTOR_OF[action] != role],
)
def test_every_role_but_the_actions_own_is_refused_in_every_state(draft, actors, action, role):
    for state in CaseState.values:
        case = put_in_state(draft, state)
        with pytest.raises(NotAllowed):
            ACTIONS[action](case, actors[role])
        case.refresh_from_db()
        assert case.state == state
    assert CaseEvent.objects.count() == 1  # the draft's own


def test_the_refusal_says_why(submitted, reviewer):
    approve_case(case=submitted, actor=reviewer, valid_from=today())
    with pytest.raises(InvalidTransition) as error:
        reject_case(case=submitted, actor=make_user(Role.REVIEWER), comment="Nej.")
    assert "Godk" in error.value.message or "approved" in error.value.message.lower()


# --- Four eyes --------------------------------------------------------------------------


def test_a_requester_who_became_a_reviewer_cannot_decide_their_own_case(submitted, reporter):
    reporter.role = Role.REVIEWER
    reporter.save()
    with pytest.raises(NotAllowed):
        approve_case(case=submitted, actor=reporter, valid_from=today())
    submitted.refresh_from_db()
    assert submitted.state == CaseState.SUBMITTED


def test_a_reviewer_who_edited_the_case_cannot_decide_it(submitted, reviewer):
    # As an edit in the admin would: a saved version with no decision behind it.
    submitted._history_user = reviewer
    submitted.alternative = "Telefon."
    submitted.save()
    with pytest.raises(NotAllowed):
        approve_case(case=submitted, actor=reviewer, valid_from=today())


def test_a_reviewer_who_submitted_the_case_cannot_decide_it(draft, reviewer):
    CaseEvent.objects.create(
        case=draft, actor=reviewer, from_state=CaseState.DRAFT, to_state=CaseState.SUBMITTED
    )
    put_in_state(draft, CaseState.SUBMITTED)
    with pytest.raises(NotAllowed):
        reject_case(case=draft, actor=reviewer, comment="Nej.")


def test_a_reviewer_who_returned_a_case_may_decide_it_when_it_comes_back(
    submitted, reporter, reviewer
):
    return_case(case=submitted, actor=reviewer, comment="Bifoga utredningen.")
    submit_case(case=submitted, actor=reporter)
    assert approve_case(case=submitted, actor=reviewer, valid_from=today()).decided_by == reviewer


# --- Decisions --------------------------------------------------------------------------


def test_an_approval_needs_an_end_date_unless_a_permanent_exemption_is_allowed(
    submitted, reviewer, requirement
):
    requirement.permanent_exemption_allowed = False
    requirement.save()
    with pytest.raises(ApplicationError) as error:
        approve_case(case=submitted, actor=reviewer, valid_from=today())
    assert set(error.value.extra["errors"]) == {"valid_until"}
    submitted.refresh_from_db()
    assert submitted.state == CaseState.SUBMITTED
    assert CaseEvent.objects.filter(case=submitted).count() == 2


def test_an_approved_period_cannot_end_before_it_starts_or_in_the_past(submitted, reviewer):
    with pytest.raises(ApplicationError) as error:
        approve_case(
            case=submitted,
            actor=reviewer,
            valid_from=today() + timedelta(days=10),
            valid_until=today() + timedelta(days=9),
        )
    assert set(error.value.extra["errors"]) == {"valid_until"}
    with pytest.raises(ApplicationError):
        approve_case(
            case=submitted,
            actor=reviewer,
            valid_from=today() - timedelta(days=10),
            valid_until=today() - timedelta(days=1),
        )


def test_an_approval_records_the_decision_and_the_period(submitted, reviewer):
    until = today() + timedelta(days=92)
    approved = approve_case(
        case=submitted, actor=reviewer, valid_from=today(), valid_until=until, comment="Ok."
    )
    approved.refresh_from_db()
    assert (approved.state, approved.decided_by, approved.decision_comment) == (
        CaseState.APPROVED,
        reviewer,
        "Ok.",
    )
    assert (approved.valid_from, approved.valid_until) == (today(), until)
    assert approved.events.last().comment == "Ok."


@pytest.mark.parametrize("decide", [reject_case, return_case])
def test_a_rejection_or_return_needs_a_comment(submitted, reviewer, decide):
    with pytest.raises(ApplicationError) as error:
        decide(case=submitted, actor=reviewer, comment=" ")
    assert set(error.value.extra["errors"]) == {"comment"}
    submitted.refresh_from_db()
    assert submitted.state == CaseState.SUBMITTED


def test_a_revocation_needs_a_reason_and_keeps_the_approval_on_record(submitted, reviewer):
    approve_case(case=submitted, actor=reviewer, valid_from=today(), comment="Ok.")
    other = make_user(Role.REVIEWER)
    with pytest.raises(ApplicationError):
        revoke_case(case=submitted, actor=other, comment="")
    revoked = revoke_case(case=submitted, actor=other, comment="Direktbokning finns nu.")
    revoked.refresh_from_db()
    assert revoked.state == CaseState.REVOKED
    assert (revoked.decided_by, revoked.decision_comment) == (reviewer, "Ok.")
    assert list(revoked.events.values_list("to_state", "actor", "comment"))[-1] == (
        CaseState.REVOKED,
        other.pk,
        "Direktbokning finns nu.",
    )


def test_the_requester_is_told_of_each_decision_once(
    submitted, reporter, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        return_case(case=submitted, actor=reviewer, comment="Bifoga utredningen.")
    submit_case(case=submitted, actor=reporter)
    with django_capture_on_commit_callbacks(execute=True):
        approve_case(case=submitted, actor=reviewer, valid_from=today())

    assert [message.to for message in mail.outbox] == [[reporter.email], [reporter.email]]
    assert "Bifoga utredningen." in mail.outbox[0].body
    assert submitted.clinic.name in mail.outbox[1].subject
    decisions = Notification.objects.filter(kind=NotificationKind.CASE_DECISION)
    assert decisions.count() == 2
    assert all(message.alternatives[0][1] == "text/html" for message in mail.outbox)
    assert f"/undantag/{submitted.pk}/" in mail.outbox[0].body

    # A retry of the task sends nothing more.
    event = submitted.events.filter(to_state=CaseState.APPROVED).get()
    assert send_decision_notice(event.pk) is False
    assert len(mail.outbox) == 2


def test_a_decision_rolled_back_sends_no_mail(
    submitted, reviewer, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ApplicationError),
    ):
        reject_case(case=submitted, actor=reviewer, comment="")
    assert callbacks == []
    assert mail.outbox == []


# --- Expiry ---------------------------------------------------------------------------


def _approved_until(case, reviewer, last_day):
    approve_case(case=case, actor=reviewer, valid_from=today(), valid_until=today())
    ExemptionCase.objects.filter(pk=case.pk).update(valid_from=last_day, valid_until=last_day)
    case.refresh_from_db()
    return case


def test_an_approval_whose_last_day_has_passed_expires_as_the_system(submitted, reviewer):
    case = _approved_until(submitted, reviewer, today() - timedelta(days=1))

    assert expire_case(case_id=case.pk, today=today()) is True

    case.refresh_from_db()
    assert case.state == CaseState.EXPIRED
    event = case.events.latest("at")
    assert (event.actor, event.from_state, event.to_state) == (
        None,
        CaseState.APPROVED,
        CaseState.EXPIRED,
    )
    assert case.history.latest().history_change_reason == "expire"


def test_an_approval_expires_once_however_often_it_is_asked(submitted, reviewer):
    case = _approved_until(submitted, reviewer, today() - timedelta(days=1))

    assert expire_due_cases(today()) == 1
    assert expire_due_cases(today()) == 0
    assert expire_case(case_id=case.pk, today=today()) is False
    assert case.events.filter(to_state=CaseState.EXPIRED).count() == 1


def test_an_approval_on_its_last_day_or_until_further_notice_does_not_expire(submitted, reviewer):
    case = _approved_until(submitted, reviewer, today())

    assert expire_case(case_id=case.pk, today=today()) is False
    ExemptionCase.objects.filter(pk=case.pk).update(valid_until=None)
    assert expire_case(case_id=case.pk, today=today() + timedelta(days=400)) is False
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED


@pytest.mark.parametrize("state", sorted(set(CaseState.values) - {"approved"}))
def test_only_an_approved_case_expires(draft, state):
    case = put_in_state(draft, state)
    ended = today() - timedelta(days=5)
    ExemptionCase.objects.filter(pk=case.pk).update(valid_from=ended, valid_until=ended)

    assert expire_case(case_id=case.pk, today=today()) is False
    case.refresh_from_db()
    assert case.state == state
