"""``make backup-check``: a backup that restores, shown on the machine's PostgreSQL.

1. Builds a database as production has one: migrations, the catalogue, a demo register
   with reports, answers, their history, usage and indicator snapshots.
2. Backs it up as the README says (``pg_dump --format=custom``).
3. Restores the file into an empty database (``pg_restore``), as after losing the server.
4. Asks the application the same questions of both, through its own pages: the overview
   totals and the overview export as a region admin downloads it, every clinic's history
   as its history page lists it, and the number of rows of every table. Any difference
   fails the check.

The server is the one in ``DATABASE_URL`` (default: the local one); the check creates and
drops two databases of its own there and leaves the dump under ``var/backup/``.
"""

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "utbud_backup_check_source"
RESTORED = "utbud_backup_check_restored"
CLINICS = 60


def _database_url(server_url: str, name: str) -> str:
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


def _run(arguments: list[str], env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        arguments, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"{' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _manage(url: str, *arguments: str) -> str:
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return _run([sys.executable, "manage.py", *arguments], env=env)


def _recreate(server_url: str, name: str) -> None:
    maintenance = _database_url(server_url, "postgres")
    _run(["dropdb", "--if-exists", "--force", "--maintenance-db", maintenance, name])
    _run(["createdb", "--maintenance-db", maintenance, name])


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest() -> dict:
    """What the application reads from the database in ``DATABASE_URL`` (run in a process
    of its own per database: settings are read once per process)."""
    sys.path.insert(0, str(ROOT))
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halland_utbud.settings")
    django.setup()
    from django.apps import apps
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from clinics.history import clinic_history
    from clinics.models import Clinic, Role, User

    # Counted first: signing in below writes a session.
    rows = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }
    # So that a page's response keeps its context (the totals it was drawn with).
    setup_test_environment()
    admin = User.objects.filter(role=Role.REGION_ADMIN, is_active=True).order_by("pk").first()
    client = Client()
    client.force_login(admin)
    overview = client.get(reverse("overview"))
    export = client.get(reverse("overview_export_csv"))
    if overview.status_code != 200 or export.status_code != 200:
        sys.exit(f"The overview answered {overview.status_code}, its export {export.status_code}.")
    totals = overview.context["totals"]
    # Every field of every row: when, who, which action, what changed, before and after.
    histories = [
        [repr(entry) for entry in clinic_history(clinic)]
        for clinic in Clinic.objects.order_by("pk")
    ]
    return {
        "rows": rows,
        "overview_totals": repr(totals),
        "overview_export_sha256": _sha256(b"".join(export.streaming_content)),
        "history_rows": sum(len(history) for history in histories),
        "history_sha256": _sha256(json.dumps(histories).encode()),
    }


def _digest_of(url: str) -> dict:
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return json.loads(_run([sys.executable, __file__, "--digest"], env=env))


def main() -> None:
    server_url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    if not server_url.startswith(("postgres://", "postgresql://")):
        sys.exit("The backup check needs PostgreSQL: set DATABASE_URL to its server.")
    source, restored = (_database_url(server_url, name) for name in (SOURCE, RESTORED))
    dump = ROOT / "var" / "backup" / "backup-check.dump"
    dump.parent.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    _recreate(server_url, SOURCE)
    _manage(source, "migrate", "--no-input", "--verbosity", "0")
    _manage(source, "import_catalogue", "requirements/catalogue/rs220477.yaml")
    _manage(source, "seed_demo", "--clinics", str(CLINICS))
    _manage(source, "seed_demo_usage")
    _manage(source, "compute_indicators", "--since", str(time.localtime().tm_year))
    built = time.monotonic()

    _run(["pg_dump", "--format=custom", "--file", str(dump), "--dbname", source])
    _recreate(server_url, RESTORED)
    _run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored, str(dump)])
    restored_at = time.monotonic()

    before, after = _digest_of(source), _digest_of(restored)
    tables = sum(1 for count in before["rows"].values() if count)
    print(
        f"Built {CLINICS} clinics in {built - started:.0f} s; dump of "
        f"{dump.stat().st_size / 1e6:.1f} MB written and restored in "
        f"{restored_at - built:.1f} s."
    )
    print(f"{tables} tables with rows, {sum(before['rows'].values())} rows in all.")
    print(f"History: {before['history_rows']} rows over {CLINICS} clinics.")
    different = [key for key in before if before[key] != after[key]]
    if different:
        for key in different:
            if key == "rows":
                tables = sorted(set(before[key]) | set(after[key]))
                for table in tables:
                    if before[key].get(table) != after[key].get(table):
                        print(
                            f"DIFFERENT rows of {table}: {before[key].get(table)} in the "
                            f"source, {after[key].get(table)} restored"
                        )
            else:
                print(f"DIFFERENT {key}:\n  source:   {before[key]}\n  restored: {after[key]}")
        sys.exit("The restored database does not read as the original: the backup is broken.")
    print("The restored database reads the same: overview totals, export, history, rows.")
    maintenance = _database_url(server_url, "postgres")
    for name in (SOURCE, RESTORED):
        _run(["dropdb", "--force", "--maintenance-db", maintenance, name])


if __name__ == "__main__":
    if sys.argv[1:] == ["--digest"]:
        print(json.dumps(digest()))
    else:
        main()
