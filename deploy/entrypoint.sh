#!/bin/sh
# The image's commands (docker-compose.yml gives each service one):
#   web      gunicorn (deploy/gunicorn.conf.py; GUNICORN_WORKERS workers)
#   worker   the Celery worker
#   beat     Celery beat, the nightly schedule
#   migrate  the database's migrations and the requirement catalogue, then exit
#   check    the settings load and `check --deploy` gives no warning, then exit
# Anything else is run as it is (e.g. `python manage.py createuser ...`).
set -eu
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-halland_utbud.settings}"

case "${1:-web}" in
    web)
        exec gunicorn --config deploy/gunicorn.conf.py halland_utbud.wsgi
        ;;
    worker)
        exec celery --app halland_utbud worker --loglevel "${LOG_LEVEL:-INFO}" \
            --concurrency "${CELERY_WORKER_CONCURRENCY:-2}"
        ;;
    beat)
        # The schedule's state is kept under var/, which only this service writes.
        exec celery --app halland_utbud beat --loglevel "${LOG_LEVEL:-INFO}" \
            --schedule var/celerybeat-schedule
        ;;
    migrate)
        python manage.py migrate --no-input
        # A catalogue file that is already imported changes nothing.
        exec python manage.py import_catalogue requirements/catalogue/rs220477.yaml
        ;;
    check)
        python -c "import django; django.setup()"
        exec python manage.py check --deploy --fail-level WARNING
        ;;
    *)
        exec "$@"
        ;;
esac
