"""The mail retry, by hand or from cron: what Celery beat runs every five minutes
(halland_utbud/celery.py), for a machine that runs without a worker and beat."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from clinics.notifications.delivery import send_pending


class Command(BaseCommand):
    help = _(
        "Sends the recorded mails that the mail server refused, once their retry delay is "
        "over. Safe to run at any time: no mail is sent twice."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(_("Mails sent: %(count)d") % {"count": send_pending()})
