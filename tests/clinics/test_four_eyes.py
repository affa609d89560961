"""The four-eyes rule, asked and enforced in one place: ``access.may_decide_case`` and
``access.may_decide_action_plan`` answer exactly what ``check_may_decide_case`` and
``check_may_decide_action_plan`` (and so the services) enforce, so a page never offers a
decision the service would refuse."""

import pytest

from clinics import access
from clinics.models import Role
from clinics.services.action_plans import save_action_plan
from halland_utbud.errors import NotAllowed
from requirements.vocabulary import AnswerStatus
from tests.api.helpers import approve_answers
from tests.api.test_cases import approved, submitted
from tests.factories import make_user


def refused(check, user, thing) -> bool:
    try:
        check(user, thing)
    except NotAllowed:
        return True
    return False


def became_reviewer(user):
    user.role = Role.REVIEWER
    user.save()
    return user


def test_a_reviewer_who_took_no_part_may_decide_a_case_and_is_not_refused(
    catalogue, clinic, reporter, reviewer
):
    case = submitted(clinic, reporter, catalogue)

    assert access.may_decide_case(reviewer, case)
    assert not refused(access.check_may_decide_case, reviewer, case)


# Waiting for a decision, or approved and so open to revocation (one open request per
# clinic and exemption: each in a test of its own).
@pytest.mark.parametrize("make_case", [submitted, approved], ids=["waiting", "in force"])
def test_the_requester_may_not_decide_nor_revoke_their_case_even_as_a_reviewer(
    catalogue, clinic, reporter, make_case
):
    case = make_case(clinic, reporter, catalogue)
    became_reviewer(reporter)

    assert not access.may_decide_case(reporter, case)
    assert refused(access.check_may_decide_case, reporter, case)


def test_a_reviewer_who_edited_a_case_may_not_decide_it(catalogue, clinic, reporter, reviewer):
    case = submitted(clinic, reporter, catalogue)
    # As an edit in the admin would: a saved version with no decision behind it.
    case._history_user = reviewer
    case.alternative = "Telefon."
    case.save()

    assert not access.may_decide_case(reviewer, case)
    assert refused(access.check_may_decide_case, reviewer, case)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REGION_ADMIN, Role.CLINIC_REPORTER])
def test_only_reviewers_may_decide_a_case(catalogue, clinic, reporter, role):
    case = submitted(clinic, reporter, catalogue)
    other = make_user(role)

    assert not access.may_decide_case(other, case)
    assert refused(access.check_may_decide_case, other, case)


@pytest.fixture
def plan(catalogue, clinic, reporter):
    approve_answers(clinic, {"etjanster.fornya_recept": AnswerStatus.NOT_MET})
    return save_action_plan(clinic=clinic, actor=reporter, rows={})


def test_a_reviewer_who_did_not_write_the_plan_may_decide_it(plan, reviewer):
    assert access.may_decide_action_plan(reviewer, plan)
    assert not refused(access.check_may_decide_action_plan, reviewer, plan)


def test_a_reviewer_who_wrote_the_plan_may_not_decide_it(plan, reporter):
    became_reviewer(reporter)

    assert not access.may_decide_action_plan(reporter, plan)
    assert refused(access.check_may_decide_action_plan, reporter, plan)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REGION_ADMIN, Role.CLINIC_REPORTER])
def test_only_reviewers_may_decide_a_plan(plan, role):
    other = make_user(role)

    assert not access.may_decide_action_plan(other, plan)
    assert refused(access.check_may_decide_action_plan, other, plan)
