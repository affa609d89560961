import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halland_utbud.settings")

app = Celery("halland_utbud")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
