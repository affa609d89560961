"""Measure one seeded database for ``make bench`` (bench/run.py starts one process per size).

Prints one JSON object: for each figure its median server time, its query count, and the
bound measured beside it on the same database. Run with DATABASE_URL set to the bench
database; ``--prepare N`` fills an empty one with the demo register of N clinics (in a
process of its own: a process that has just built a million rows serves requests slower
than a fresh one, which would be measuring the benchmark rather than the server).
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halland_utbud.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from clinics.demo import seed_demo  # noqa: E402
from clinics.models import Clinic, ClinicStatusPeriod, Role, User  # noqa: E402
from clinics.timeline import rebuild_all  # noqa: E402
from followup.demo import seed_demo_usage  # noqa: E402
from followup.figures import figures_on  # noqa: E402
from followup.filters import ClinicSelection  # noqa: E402
from followup.overview import build_overview, totals  # noqa: E402
from followup.snapshots import take_snapshots  # noqa: E402

# The matrix rows, written by hand: the bound the streamed CSV is measured against.
MATRIX_COPY = """
COPY (
    SELECT r.clinic_id, c.hsa_id, p.name, r.requirement_code, r.area_code, r.status,
           NULLIF(r.answer_status, ''), NULLIF(r.channel, ''), r.case_id,
           NULLIF(r.exemption_kind, ''), r.exemption_from, r.exemption_until,
           r.catalogue_version_id, r.valid_from
    FROM clinics_requirementstatusperiod r
    JOIN clinics_clinic c ON c.id = r.clinic_id
    JOIN clinics_clinicstatusperiod p
      ON p.clinic_id = r.clinic_id AND p.valid_from <= %(day)s AND p.valid_to > %(day)s
    WHERE r.valid_from <= %(day)s AND r.valid_to > %(day)s
    ORDER BY r.clinic_id, r.requirement_id
) TO STDOUT WITH (FORMAT csv, DELIMITER ';')
"""
# The overview's totals, written by hand as one GROUP BY over the day's rows of the clinics
# and their latest reports: the least SQL that gives the same figures.
TOTALS_GROUP_BY = """
SELECT p.catalogue_version_id IS NOT NULL, p.meets_baseline, p.exemptions_in_force > 0,
       p.area_statuses, r.state, count(*)
FROM clinics_clinicstatusperiod p
LEFT JOIN clinics_report r ON r.clinic_id = p.clinic_id AND r.is_latest
WHERE p.valid_from <= %(day)s AND p.valid_to > %(day)s
GROUP BY 1, 2, 3, 4, 5
"""
# The snapshot job's aggregates, written by hand: one GROUP BY per source, with every
# dimension as a grouping set of the one statement (the job issues one query per source
# and dimension). Summed, the bound of the job's computation.
SNAPSHOT_GROUP_BYS = (
    """
SELECT p.municipality_code, p.kind, p.care_type, p.provider_id, p.contract_form,
       count(*) FILTER (WHERE p.catalogue_version_id IS NOT NULL AND p.meets_baseline),
       count(*) FILTER (WHERE p.catalogue_version_id IS NOT NULL),
       sum(p.exemptions_in_force)
FROM clinics_clinicstatusperiod p
WHERE p.valid_from <= %(day)s AND p.valid_to > %(day)s AND p.active
GROUP BY GROUPING SETS ((), (1), (2), (3), (4), (5))
""",
    """
SELECT a.area_code, p.municipality_code, p.kind, p.care_type, p.provider_id, p.contract_form,
       count(*) FILTER (WHERE a.status = 'met'),
       count(*) FILTER (WHERE a.status <> 'not_applicable'),
       sum(a.met::float8 / a.applicable) FILTER (WHERE a.applicable > 0),
       count(*) FILTER (WHERE a.applicable > 0),
       count(*) FILTER (WHERE a.area_code = 'etjanster' AND a.met > 0 AND NOT EXISTS (
           SELECT 1 FROM followup_usage u
           WHERE u.clinic_id = a.clinic_id AND u.measure = 'e_service_cases' AND u.value > 0
             AND u.replaced_by_id IS NULL
             AND u.month = (SELECT max(m.month) FROM followup_usagemonth m
                            WHERE m.measure = 'e_service_cases' AND m.month <= %(day)s)))
FROM clinics_areastatusperiod a
JOIN clinics_clinicstatusperiod p
  ON p.clinic_id = a.clinic_id AND p.valid_from <= %(day)s AND p.valid_to > %(day)s
WHERE a.valid_from <= %(day)s AND a.valid_to > %(day)s AND p.active
GROUP BY GROUPING SETS ((1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 6))
""",
    """
SELECT r.requirement_code, p.municipality_code, p.kind, p.care_type, p.provider_id,
       p.contract_form,
       count(*) FILTER (WHERE r.status = 'compliant'),
       count(*) FILTER (WHERE r.status <> 'not_applicable'),
       count(*) FILTER (WHERE r.status = 'compliant' AND r.channel IN ('1177', 'both')),
       count(*) FILTER (WHERE r.exemption_until BETWEEN %(day)s AND %(day)s + 90),
       count(*) FILTER (WHERE r.status = 'compliant' AND NOT EXISTS (
           SELECT 1 FROM followup_usage u
           WHERE u.clinic_id = r.clinic_id AND u.value > 0 AND u.replaced_by_id IS NULL
             AND u.measure = CASE r.requirement_code WHEN 'webbtidbok.boka_direkt'
                 THEN 'web_bookings' WHEN 'distans.video' THEN 'video_visits'
                 WHEN 'journalen.las_via_1177' THEN 'journalen_logins' END
             AND u.month = (SELECT max(m.month) FROM followup_usagemonth m
                            WHERE m.measure = u.measure AND m.month <= %(day)s)))
FROM clinics_requirementstatusperiod r
JOIN clinics_clinicstatusperiod p
  ON p.clinic_id = r.clinic_id AND p.valid_from <= %(day)s AND p.valid_to > %(day)s
WHERE r.valid_from <= %(day)s AND r.valid_to > %(day)s AND p.active
  AND (r.requirement_code IN ('webbtidbok.boka_direkt', 'distans.video', 'distans.chatt',
                              'distans.telefon', 'journalen.las_via_1177')
       OR (r.area_code = 'etjanster' AND r.status = 'compliant') OR r.case_id IS NOT NULL)
GROUP BY GROUPING SETS ((1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 6))
""",
)


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def timed_requests(client: Client, url: str, params: dict, repeat: int) -> dict:
    """The median of ``repeat`` requests after three to warm up, and the query count."""
    for _ in range(3):
        client.get(url, params)
    samples = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, params)
            if response.streaming:
                for _chunk in response.streaming_content:
                    pass
            samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, params, response.status_code)
    return {"ms": _median_ms(samples), "queries": len(queries)}


def timed_sql(sql: str, day, repeat: int, *, copy: bool = False) -> dict:
    samples = []
    rows = 0
    for _ in range(repeat + 1):
        with connection.cursor() as cursor:
            started = time.perf_counter()
            if copy:
                size = 0
                with cursor.cursor.copy(sql, {"day": day}) as stream:
                    for data in stream:
                        size += len(data)
                        rows += bytes(data).count(b"\n")
            else:
                cursor.execute(sql, {"day": day})
                cursor.fetchall()
            samples.append(time.perf_counter() - started)
    return {"ms": _median_ms(samples[1:]), "rows": rows // (repeat + 1) if copy else None}


def timed_totals(viewer: User, day, repeat: int) -> dict:
    overview = build_overview(ClinicSelection(viewer, day, {}), None)
    totals(overview.clinics, overview.areas)
    samples = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            totals(overview.clinics, overview.areas)
            samples.append(time.perf_counter() - started)
    return {"ms": _median_ms(samples), "queries": len(queries)}


def timed_snapshots(repeat: int) -> dict:
    """The nightly job (its year, quarter and month), and its computation alone."""
    job, computation = [], []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = take_snapshots()
            job.append(time.perf_counter() - started)
        started = time.perf_counter()
        figures_on(result.as_of)
        computation.append(time.perf_counter() - started)
    return {
        "ms": _median_ms(job),
        "computation_ms": _median_ms(computation),
        "queries": len(queries),
        "rows": result.rows,
        "periods": len(result.periods),
        "as_of": result.as_of,
    }


def timed_snapshot_bound(day, repeat: int) -> dict:
    return {"ms": round(sum(timed_sql(sql, day, repeat)["ms"] for sql in SNAPSHOT_GROUP_BYS), 1)}


def matrix_csv_run(viewer: User) -> dict:
    """The whole matrix as CSV through the API, as a client reads it (run alone in a
    process, so that its peak memory is the export's)."""
    client = Client()
    client.force_login(viewer)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get(reverse("api:compliance-matrix"), {"format": "csv"})
    first_byte = None
    lines = 0
    for chunk in response.streaming_content:
        if first_byte is None:
            first_byte = time.perf_counter() - started
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    rows = lines - 1
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "first_byte_ms": round(first_byte * 1000, 1),
        "rows_per_s": round(rows / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_before_mb": round(before / 1024, 1),
    }


def ensure_seeded(clinics: int) -> dict:
    call_command("migrate", verbosity=0, interactive=False)
    present = Clinic.objects.count()
    result = {"seeded": False}
    if present == clinics:
        if not ClinicStatusPeriod.objects.exists():
            rebuild_all()  # a database migrated past a change to the timeline's tables
    else:
        if present:
            call_command("flush", verbosity=0, interactive=False)
        started = time.perf_counter()
        seed_demo(clinics=clinics, seed=1)
        result = {"seeded": True, "seed_s": round(time.perf_counter() - started, 1)}
    # The usage indicators count against some months of usage, as in production.
    seed_demo_usage()
    settle()
    return result


def settle() -> None:
    """The steady state of a production database: vacuumed and analyzed (as autovacuum
    keeps it; the PostgreSQL of this machine kind runs with autovacuum off, and the dead
    rows of each rebuild and migration made the same requests up to twice as slow), and
    with the writes of the last rebuild on disk rather than flushed by a checkpoint while
    the requests are timed."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")


def measure(repeat: int) -> dict:
    viewer = User.objects.filter(role=Role.VIEWER, is_active=True).order_by("pk").first()
    client = Client()
    client.force_login(viewer)
    day = timezone.localdate()
    overview = reverse("overview")
    clinics = reverse("api:clinic-list")
    clinic = Clinic.objects.filter(reports__state="approved").order_by("pk").first()
    figures = {
        "overview": (overview, {}),
        "overview_municipality": (overview, {"municipality": "1380"}),
        "overview_meets_baseline": (overview, {"meets_baseline": "false"}),
        "overview_area": (overview, {"area": "webbtidbok", "area_status": "not_met"}),
        "overview_sorted_by_share": (overview, {"sort": "-share"}),
        "clinic_page": (reverse("clinic_detail", args=[clinic.pk]), {}),
        "api_clinics": (clinics, {}),
        "api_clinics_meets_baseline": (clinics, {"meets_baseline": "true"}),
        "follow_up": (reverse("follow_up"), {}),
        "follow_up_by_provider": (reverse("follow_up"), {"dimension": "provider"}),
    }
    # The follow-up page reads the snapshots: take them first.
    snapshots = timed_snapshots(max(1, repeat // 5))
    results = {
        name: timed_requests(client, url, params, repeat)
        for name, (url, params) in figures.items()
    }
    results["totals"] = timed_totals(viewer, day, repeat)
    results["totals_group_by"] = timed_sql(TOTALS_GROUP_BY, day, repeat)
    results["snapshots"] = snapshots
    results["snapshots_group_by"] = timed_snapshot_bound(snapshots["as_of"], max(1, repeat // 5))
    snapshots["as_of"] = snapshots["as_of"].isoformat()
    results["matrix_copy"] = timed_sql(MATRIX_COPY, day, max(1, repeat // 3), copy=True)
    started = time.perf_counter()
    written = rebuild_all()
    seconds = time.perf_counter() - started
    settle()
    results["rebuild"] = {
        "s": round(seconds, 1),
        "requirement_rows": written.requirement_rows,
    }
    results["clinics"] = Clinic.objects.count()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--prepare", type=int, metavar="N", help="only ensure the demo register of N clinics"
    )
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--matrix-csv", action="store_true", help="only the CSV export")
    args = parser.parse_args()
    if args.matrix_csv:
        viewer = User.objects.filter(role=Role.VIEWER, is_active=True).order_by("pk").first()
        print(json.dumps(matrix_csv_run(viewer)))
        return
    if args.prepare:
        print(json.dumps(ensure_seeded(args.prepare)))
        return
    print(json.dumps(measure(args.repeat)))


if __name__ == "__main__":
    main()
