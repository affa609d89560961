"""E-mail to a clinic's reporters when a date in its action plan has passed."""

from datetime import date

from clinics.action_plans import overdue_action_plans
from clinics.models import Clinic, NotificationKind
from clinics.notifications.delivery import compose, deliver, reporters_of, site_url


def overdue_plan_key(plan_id: int, passed: date) -> str:
    """Once per plan and passed date: a later date that passes is a reminder of its own."""
    return f"action-plan:{plan_id}:overdue:{passed:%Y-%m-%d}"


def send_overdue_plan_reminders(today: date) -> int:
    """Remind the reporters of each clinic whose action plan has a passed date and is not
    carried out, once per plan and date; the number of mails. Five queries however many
    plans and clinics."""
    plans = list(overdue_action_plans(today))
    if not plans:
        return 0
    reporters = reporters_of(Clinic.objects.filter(pk__in=[plan.clinic_id for plan in plans]))
    mails = []
    for user, clinics in reporters.items():
        theirs = {clinic.pk for clinic in clinics}
        mails.extend(
            compose(
                "action_plan_overdue",
                {"plan": plan, "passed": plan.first_passed},
                recipient=user,
                kind=NotificationKind.ACTION_PLAN_OVERDUE,
                key=overdue_plan_key(plan.pk, plan.first_passed),
                link=site_url("clinic_action_plan", plan.clinic_id),
            )
            for plan in plans
            if plan.clinic_id in theirs
        )
    return deliver(mails)
