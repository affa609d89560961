"""A region admin reminds the clinics of an open round that have not yet submitted.

Each press of the button is its own reminder, recorded and sent once: the form carries a
press id, the mails are keyed by it, so a resubmitted or retried request sends nothing
more (clinics.notifications.rounds).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from clinics import access, tasks
from clinics.models import Notification, ReportingRound, User
from clinics.notifications.delivery import after_commit
from clinics.notifications.rounds import manual_reminder_key, not_submitted_clinics
from halland_utbud.errors import ApplicationError, InvalidTransition


@transaction.atomic
def remind_not_submitted(*, round: ReportingRound, actor: User, press: str) -> int:
    """Queue the reminder of press ``press`` to the reporters of the round's clinics that
    have not submitted; the number of those clinics."""
    access.check_may_remind_round(actor)
    round = ReportingRound.objects.select_for_update().get(pk=round.pk)
    if not round.is_open:
        raise InvalidTransition(_("The reporting round is closed; nobody needs reminding."))
    if Notification.objects.filter(key=manual_reminder_key(round, press)).exists():
        raise ApplicationError(_("This reminder has already been sent."))
    count = not_submitted_clinics(round).count()
    if count:
        after_commit(tasks.send_manual_round_reminder, round.pk, press, actor.pk)
    return count
