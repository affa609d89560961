"""Who may see and change what. Views, the API and exports all ask here, so the browser
and the REST API can never disagree.

The rules:
- region admins, reviewers and viewers see every provider, clinic and report;
- a clinic reporter sees only the clinics linked to them, and every clinic of the
  providers linked to them (a provider's coordinator);
- only clinic reporters (for their own clinics) change a clinic's report; one who answers
  or submits for several clinics at once (a coordinator) does so only for clinics they may
  report for each on its own, never for another provider's;
- only reviewers decide reports, never one they submitted or answered themselves;
- clinic reporters request exemptions for their own clinics; only reviewers decide them,
  never a case they requested or edited;
- regional staff read every exemption case and its list (with its downloads), a clinic
  reporter only their own clinics' cases; only reviewers work the queue of cases;
- a clinic's action plan is written and submitted by its reporters; only reviewers accept
  or return it, never one they wrote; everyone who sees the clinic reads it;
- only region admins keep the register and the catalogue (a revision's preview included);
- region admins, reviewers and viewers see the region's follow-up (its page, the indicator
  and snapshot API, the yearly targets); clinic reporters do not;
- only region admins set the yearly targets and start a recompute of the follow-up;
- a clinic's own indicators are defined and reported by its reporters; regional staff
  and the clinic's reporters see them;
- only region admins import measured usage; regional staff see every clinic's usage, a
  clinic reporter their own clinics';
- only region admins send a round's late clinics a reminder by hand;
- every signed-in user reads their own notifications, and nobody else's;
- every signed-in user makes, lists and revokes their own API keys, and sees nobody
  else's; region admins may also revoke anyone's key (in the admin).
"""

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from clinics.models import (
    ActionPlan,
    ActionPlanEvent,
    ActionPlanItem,
    ActionPlanState,
    ApiToken,
    CaseEvent,
    CaseState,
    Clinic,
    ExemptionCase,
    Notification,
    Provider,
    Report,
    Role,
    User,
)
from halland_utbud.errors import NotAllowed

_SEES_EVERYTHING = {Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER}


def _is_active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def sees_everything(user: User) -> bool:
    return _is_active(user) and (user.is_superuser or user.role in _SEES_EVERYTHING)


def is_region_admin(user: User) -> bool:
    return _is_active(user) and (user.is_superuser or user.role == Role.REGION_ADMIN)


def is_reviewer(user: User) -> bool:
    return _is_active(user) and user.role == Role.REVIEWER


def is_reporter(user: User) -> bool:
    return _is_active(user) and user.role == Role.CLINIC_REPORTER


def _reporter_clinics_filter(user: User) -> Q:
    return Q(reporters=user) | Q(provider__coordinators=user)


def visible_clinics(user: User) -> QuerySet[Clinic]:
    """Every clinic the user may see, as a queryset to filter further."""
    if sees_everything(user):
        return Clinic.objects.all()
    if is_reporter(user):
        return Clinic.objects.filter(
            pk__in=Clinic.objects.filter(_reporter_clinics_filter(user)).values("pk")
        )
    return Clinic.objects.none()


def only_visible(rows: QuerySet, user: User, *, clinic_field: str = "clinic") -> QuerySet:
    """``rows`` (of any model that names a clinic) limited to the clinics the user may see;
    for regional staff, who see every clinic, without adding anything to the query."""
    if sees_everything(user):
        return rows
    if is_reporter(user):
        return rows.filter(**{f"{clinic_field}__in": visible_clinics(user).values("pk")})
    return rows.none()


def visible_providers(user: User) -> QuerySet[Provider]:
    if sees_everything(user):
        return Provider.objects.all()
    if is_reporter(user):
        return Provider.objects.filter(pk__in=visible_clinics(user).values("provider_id"))
    return Provider.objects.none()


def visible_reports(user: User) -> QuerySet[Report]:
    return Report.objects.filter(clinic__in=visible_clinics(user))


def may_report_for(user: User, clinic: Clinic) -> bool:
    return is_reporter(user) and visible_clinics(user).filter(pk=clinic.pk).exists()


def reportable_clinic_ids(user: User, clinic_ids: Iterable[int]) -> set[int]:
    """Of ``clinic_ids``, those the user may report for: ``may_report_for`` for many
    clinics at once, in one query whatever their number."""
    if not is_reporter(user):
        return set()
    return set(visible_clinics(user).filter(pk__in=list(clinic_ids)).values_list("pk", flat=True))


def get_clinic_for_user(user: User, pk: int) -> Clinic:
    """The clinic, if the user may see it; a clinic they may not see does not exist."""
    try:
        return visible_clinics(user).select_related("provider").get(pk=pk)
    except Clinic.DoesNotExist:
        raise Http404 from None


def check_may_report(user: User, clinic: Clinic) -> None:
    if not may_report_for(user, clinic):
        raise NotAllowed(_("You may not report for this clinic."))


def has_taken_part(user: User, report: Report, answers=None) -> bool:
    """The four-eyes rule's question: did the user submit the report or give one of its
    answers? ``answers``, where the caller has read them already, saves the query."""
    if report.submitted_by_id == user.pk:
        return True
    if answers is not None:
        return any(answer.reported_by_id == user.pk for answer in answers)
    return report.answers.filter(reported_by=user).exists()


def may_review(user: User, report: Report, answers=None) -> bool:
    """Whether the user may decide the report: a reviewer who has not taken part in it."""
    return is_reviewer(user) and not has_taken_part(user, report, answers)


def check_may_review(user: User, report: Report) -> None:
    """Only reviewers decide, and never a report they submitted or answered (four eyes)."""
    if not is_reviewer(user):
        raise NotAllowed(_("Only reviewers may decide on reports."))
    if has_taken_part(user, report):
        raise NotAllowed(
            _("You may not review a report that you have yourself provided information in.")
        )


def check_may_keep_clinic_indicators(user: User, clinic: Clinic) -> None:
    """Only the clinic's own reporters define its indicators and report their values."""
    if not may_report_for(user, clinic):
        raise NotAllowed(_("Only the clinic's reporters may keep its own indicators."))


def check_may_keep_catalogue(user: User) -> None:
    if not is_region_admin(user):
        raise NotAllowed(_("Only region administrators may keep the requirement catalogue."))


def check_may_import_usage(user: User) -> None:
    if not is_region_admin(user):
        raise NotAllowed(_("Only region administrators may import usage."))


def check_may_remind_round(user: User) -> None:
    if not is_region_admin(user):
        raise NotAllowed(_("Only region administrators may send reminders."))


def has_notifications(user: User) -> bool:
    """Every signed-in user has their own notifications page."""
    return _is_active(user)


def visible_notifications(user: User) -> QuerySet[Notification]:
    """The user's own notifications: nobody reads another's."""
    if not has_notifications(user):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def may_hold_api_tokens(user: User) -> bool:
    """Every active user may read the API with keys of their own."""
    return _is_active(user)


def check_may_hold_api_tokens(user: User) -> None:
    if not may_hold_api_tokens(user):
        raise NotAllowed(_("Only active users have API keys."))


def visible_api_tokens(user: User) -> QuerySet[ApiToken]:
    """The user's own keys: nobody lists another's, region admins included (the admin
    shows them every key, without its secret, for revoking)."""
    if not may_hold_api_tokens(user):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)


def check_may_revoke_api_token(user: User, token: ApiToken) -> None:
    if not (_is_active(user) and token.user_id == user.pk) and not is_region_admin(user):
        raise NotAllowed(_("Only the key's user or a region administrator may revoke it."))


# The change reasons the case services write on the history rows of a decision: a reviewer
# who returned a case has saved it, but has not edited it.
CASE_DECISION_ACTIONS = ("approve", "reject", "return", "revoke", "expire")


def may_see_cases(user: User) -> bool:
    """Regional staff read every case, a clinic reporter their clinics' cases, which
    ``visible_cases`` narrows to."""
    return sees_everything(user) or is_reporter(user)


def visible_cases(user: User) -> QuerySet[ExemptionCase]:
    """The exemption cases of every clinic the user may see."""
    return ExemptionCase.objects.filter(clinic__in=visible_clinics(user))


def check_may_request_case(user: User, clinic: Clinic) -> None:
    """Only the clinic's own reporters request, change and submit its cases."""
    if not may_report_for(user, clinic):
        raise NotAllowed(_("Only the clinic's reporters may request exemptions for it."))


def has_taken_part_in_case(user: User, case: ExemptionCase) -> bool:
    """The four-eyes rule's question for a case: did the user request or edit it?

    Whoever saved a version of the case other than by deciding it (its history) or moved
    it into draft or submitted it (its events) took part in the request, even if they are
    a reviewer today. A save without a reason (e.g. in the admin) counts as an edit.
    """
    return (
        case.requester_id == user.pk
        or case.history.filter(history_user=user)
        .exclude(history_change_reason__in=CASE_DECISION_ACTIONS)
        .exists()
        or CaseEvent.objects.filter(
            case=case,
            actor=user,
            to_state__in=[CaseState.DRAFT, CaseState.SUBMITTED],
        ).exists()
    )


def may_decide_case(user: User, case: ExemptionCase) -> bool:
    """Whether the user may decide or revoke the case: a reviewer who took no part in it."""
    return is_reviewer(user) and not has_taken_part_in_case(user, case)


def check_may_decide_case(user: User, case: ExemptionCase) -> None:
    """Only reviewers decide, and never a case they requested or edited (four eyes)."""
    if not is_reviewer(user):
        raise NotAllowed(_("Only reviewers may decide on exemptions and approvals."))
    if has_taken_part_in_case(user, case):
        raise NotAllowed(_("You may not decide on a case that you have requested or edited."))


def visible_action_plans(user: User) -> QuerySet[ActionPlan]:
    """The action plans of every clinic the user may see."""
    return only_visible(ActionPlan.objects.all(), user)


def check_may_write_action_plan(user: User, clinic: Clinic) -> None:
    """Only the clinic's own reporters write, submit and mark done its action plan."""
    if not may_report_for(user, clinic):
        raise NotAllowed(_("Only the clinic's reporters may write its action plan."))


def has_written_action_plan(user: User, plan: ActionPlan) -> bool:
    """Whoever saved a row of the plan, or started or submitted it, took part in it, even
    if they are a reviewer today."""
    return (
        ActionPlanItem.history.filter(plan_id=plan.pk, history_user=user).exists()
        or ActionPlanEvent.objects.filter(
            plan=plan,
            actor=user,
            to_state__in=[ActionPlanState.DRAFT, ActionPlanState.SUBMITTED],
        ).exists()
    )


def may_decide_action_plan(user: User, plan: ActionPlan) -> bool:
    """Whether the user may accept or return the plan: a reviewer who did not write it."""
    return is_reviewer(user) and not has_written_action_plan(user, plan)


def check_may_decide_action_plan(user: User, plan: ActionPlan) -> None:
    """Only reviewers accept or return a plan, and never one they wrote (four eyes)."""
    if not is_reviewer(user):
        raise NotAllowed(_("Only reviewers may accept or return action plans."))
    if has_written_action_plan(user, plan):
        raise NotAllowed(_("You may not decide on an action plan that you have written."))


def role_required(check: Callable[[User], bool]) -> Callable:
    """View decorator: anonymous users go to sign-in, users whom ``check`` refuses get 403.

    Pages name the rule from this module (``sees_everything``, ``is_reporter``...), so a
    page and the API can never disagree about who may see it.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
