"""``make bench``: the region-wide reads at 200, 2,000 and 20,000 clinics on PostgreSQL,
each beside its bound, measured in the same run on the same database.

Each size has its own database (``<name>_bench_<size>`` beside the one DATABASE_URL or
BENCH_DATABASE_URL names, default ``postgres`` on 127.0.0.1), seeded with the demo register
on the first run and kept for the next. For each size one process measures the pages, the
API, the totals and their hand-written GROUP BY, the matrix's COPY bound, the nightly
snapshot job beside the same aggregates written by hand, and a full rebuild of the
timeline; another process streams the whole matrix as CSV alone, so that its peak
memory is the export's. The table goes to stdout and to ``var/bench/latest.md``.
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SIZES = (200, 2_000, 20_000)
OUT = ROOT / "var" / "bench" / "latest.md"

# The pages and API reads, by figure, as the table names them.
PAGES = {
    "overview": "overview, first page",
    "overview_municipality": "overview, by municipality",
    "overview_meets_baseline": "overview, by meets_baseline",
    "overview_area": "overview, by one area (Tidbokning not met)",
    "overview_sorted_by_share": "overview, sorted by share",
    "clinic_page": "a clinic page",
    "api_clinics": "clinics API, first page",
    "api_clinics_meets_baseline": "clinics API, meets_baseline",
    "follow_up": "follow-up page",
    "follow_up_by_provider": "follow-up page, by care provider",
}
PAGE_TARGET_MS = 100
SCALING_TARGET = 2.0
COPY_TARGET = 3.0
TOTALS_TARGET = 3.0
REBUILD_TARGET_S = 60
CSV_ROWS_TARGET = 100_000
RSS_GROWTH_TARGET_MB = 50
SNAPSHOT_TARGET = 3.0
SNAPSHOT_TARGET_S = 10


def database_url(size: int) -> str:
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    base = base or "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("make bench needs PostgreSQL: set BENCH_DATABASE_URL or DATABASE_URL.")
    name = (parts.path.lstrip("/") or "postgres").split("_bench_")[0]
    return urlunsplit(parts._replace(path=f"/{name}_bench_{size}"))


def ensure_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def run_measure(url: str, *arguments: str) -> dict:
    # Production's settings, over the test client's plain http: a key of its own (it
    # refuses to start without one) and no redirect to https.
    env = {
        "SECRET_KEY": secrets.token_urlsafe(64),
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
    }
    env.pop("CELERY_BROKER_URL", None)
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "measure.py"), *arguments],
        env=env,
        capture_output=True,
        text=True,
    )
    if completed.returncode:
        sys.exit(f"bench/measure.py {' '.join(arguments)} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def ratio(value: float, bound: float) -> str:
    return f"{value / bound:.2f}" if bound else "–"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def table(results: dict[int, dict]) -> str:
    sizes = sorted(results)
    small, large = sizes[0], sizes[-1]
    head = " | ".join(f"{size:,}" for size in sizes)
    lines = [
        f"| figure | {head} | queries | bound (at {large:,}) | ratio | target | |",
        "|---" * (len(sizes) + 6) + "|",
    ]

    def row(name, values, queries, bound, ratio_text, target, ok):
        cells = " | ".join(values)
        lines.append(
            f"| {name} | {cells} | {queries} | {bound} | {ratio_text} | {target} | {verdict(ok)} |"
        )

    for key, name in PAGES.items():
        ms = [results[size][key]["ms"] for size in sizes]
        queries = "/".join(str(results[size][key]["queries"]) for size in sizes)
        scaling = ms[-1] / ms[0]
        same_queries = len({results[size][key]["queries"] for size in sizes}) == 1
        ok = ms[-1] <= PAGE_TARGET_MS and same_queries
        if key.startswith("overview"):
            ok = ok and scaling <= SCALING_TARGET
        row(
            name,
            [f"{value} ms" for value in ms],
            queries,
            f"t({small:,}) = {ms[0]} ms",
            f"{scaling:.2f}",
            f"≤ {PAGE_TARGET_MS} ms"
            + (f", ≤ {SCALING_TARGET:g}×" if key.startswith("overview") else ""),
            ok,
        )

    totals = [results[size]["totals"]["ms"] for size in sizes]
    group_by = results[large]["totals_group_by"]["ms"]
    row(
        "overview totals (one query)",
        [f"{value} ms" for value in totals],
        "/".join(str(results[size]["totals"]["queries"]) for size in sizes),
        f"GROUP BY = {group_by} ms",
        ratio(totals[-1], group_by),
        f"≤ {TOTALS_TARGET:g}× GROUP BY",
        totals[-1] <= TOTALS_TARGET * group_by,
    )

    csv_runs = [results[size]["matrix_csv"] for size in sizes]
    copy_ms = results[large]["matrix_copy"]["ms"]
    csv_ms = csv_runs[-1]["seconds"] * 1000
    row(
        "matrix CSV, whole (rows/s)",
        [f"{run['rows']:,} rows, {run['rows_per_s']:,}/s" for run in csv_runs],
        "–",
        f"COPY = {copy_ms / 1000:.2f} s",
        ratio(csv_ms, copy_ms),
        f"≥ {CSV_ROWS_TARGET:,}/s, ≤ {COPY_TARGET:g}× COPY",
        csv_runs[-1]["rows_per_s"] >= CSV_ROWS_TARGET and csv_ms <= COPY_TARGET * copy_ms,
    )
    growth = csv_runs[-1]["peak_rss_mb"] - csv_runs[-2]["peak_rss_mb"] if len(sizes) > 1 else 0
    row(
        "matrix CSV, peak RSS / first byte",
        [f"{run['peak_rss_mb']} MB / {run['first_byte_ms']} ms" for run in csv_runs],
        "–",
        f"{sizes[-2]:,} → {large:,}: +{growth:.1f} MB" if len(sizes) > 1 else "–",
        "–",
        f"< {RSS_GROWTH_TARGET_MB} MB growth",
        growth < RSS_GROWTH_TARGET_MB,
    )
    snapshots = [results[size]["snapshots"] for size in sizes]
    bound = results[large]["snapshots_group_by"]["ms"]
    computation = snapshots[-1]["computation_ms"]
    row(
        "snapshot job (year, quarter, month)",
        [f"{run['ms'] / 1000:.1f} s, {run['rows']:,} rows a period" for run in snapshots],
        "/".join(str(run["queries"]) for run in snapshots),
        f"GROUP BYs = {bound / 1000:.2f} s; computing {computation / 1000:.2f} s",
        ratio(computation, bound),
        f"≤ {SNAPSHOT_TARGET:g}× GROUP BYs, ≤ {SNAPSHOT_TARGET_S} s",
        computation <= SNAPSHOT_TARGET * bound and snapshots[-1]["ms"] <= SNAPSHOT_TARGET_S * 1000,
    )
    rebuild = [results[size]["rebuild"]["s"] for size in sizes]
    row(
        "rebuild_compliance, all clinics",
        [f"{value} s" for value in rebuild],
        "–",
        f"{results[large]['rebuild']['requirement_rows']:,} requirement rows",
        "–",
        f"≤ {REBUILD_TARGET_S} s",
        rebuild[-1] <= REBUILD_TARGET_S,
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    results: dict[int, dict] = {}
    for size in args.sizes:
        url = database_url(size)
        ensure_database(url)
        print(f"{size:,} clinics: {urlsplit(url).path.lstrip('/')}", file=sys.stderr, flush=True)
        prepared = run_measure(url, "--prepare", str(size))
        if prepared["seeded"]:
            print(f"  seeded in {prepared['seed_s']} s", file=sys.stderr, flush=True)
        results[size] = run_measure(url, "--repeat", str(args.repeat))
        results[size]["matrix_csv"] = run_measure(url, "--matrix-csv")
    report = (
        "# make bench\n\n"
        "Median server time of each request (in-process, whole middleware and rendering), "
        "its query count at each size, and its bound measured in the same run on the same "
        "database. PostgreSQL, this machine.\n\n" + table(results) + "\n"
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(report, encoding="utf-8")
    (OUT.parent / "latest.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
