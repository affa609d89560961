"""``make load``: the server under a national-scale load, then the same with faults.

gunicorn (2 workers, production's settings, ``deploy/gunicorn.conf.py``) serves the
20,000-clinic demo database of ``make bench`` on PostgreSQL, with Redis as broker and
cache, and a Celery worker running the nightly jobs meanwhile. wrk drives a mix at 32
connections for 60 s, on 127.0.0.1 only, one wrk per route so that each route has its
own percentiles (bench/load_routes.py, bench/load.lua):

- the overview (a region viewer's session);
- a clinic page, a random one of the 20,000 each time;
- the clinics API, a random page of it;
- the compliance matrix API, its first page for a random municipality;
- a report save, each connection a reporter saving their own draft as the browser posts it.

It prints throughput, p50/p95/p99 and errors per route, and the memory of each gunicorn
worker over the run (sampled every two seconds), and writes them to ``var/bench/load.md``.

A light run then drives the same mix at one connection a route: what a request costs when
few wait for a worker. Each run ends with what bounds its latency (Little's law).

The last run kills one gunicorn worker and the Celery worker halfway, while the worker
computes the nightly snapshot. gunicorn replaces its worker; the Celery worker is
restarted as the compose file's restart policy would, and the snapshot's message, never
acknowledged (acks late), is delivered again once the broker's visibility timeout has
passed. The run checks that the snapshot is then complete, and reports the errors of the
requests the killed worker held.
"""

import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import build_opener

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_routes import Route, routes, write_script
from run import database_url, ensure_database, run_measure

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench" / "load.md"
WORK = ROOT / "var" / "bench" / "load"
CLINICS = 20_000
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
BROKER = "redis://127.0.0.1:6379/5"
CACHE = "redis://127.0.0.1:6379/6"
# Seconds before the broker hands an unacknowledged task to another worker: short here,
# so that the fault run sees the redelivery; production's is hours (the longest task).
VISIBILITY_TIMEOUT_S = 10
P99_TARGET_MS = 250
RSS_GROWTH_TARGET_MB = 25
# Connections per route: 32 in all.
CONNECTIONS = {"overview": 8, "clinic_page": 8, "api_clinics": 8, "matrix": 4, "report_save": 4}
# The same mix, one connection a route: what a request costs when few wait for a worker.
LIGHT = dict.fromkeys(CONNECTIONS, 1)


def server_env(url: str, secret_key: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL", "REDIS_URL"}
    }
    return env | {
        "DEBUG": "false",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CELERY_BROKER_URL": BROKER,
        "CACHE_URL": CACHE,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_S),
        # The load is one viewer and four reporters: no throttle is under test here.
        "API_THROTTLE_USER_RATE": "1000000/hour",
        "LOG_FORMAT": "json",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def start_gunicorn(env: dict[str, str], log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            "gunicorn",
            "--config",
            "deploy/gunicorn.conf.py",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "halland_utbud.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(120):
        try:
            with build_opener().open(f"{BASE}/healthz", timeout=2):
                return process
        except OSError:
            time.sleep(0.5)
    sys.exit(f"gunicorn did not start; see {log}")


def start_celery(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        ["celery", "--app", "halland_utbud", "worker", "--concurrency", "1", "--loglevel", "INFO"],
        cwd=ROOT,
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def celery_call(env: dict[str, str], task: str) -> None:
    subprocess.run(
        ["celery", "--app", "halland_utbud", "call", task],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def psql(url: str, sql: str) -> str:
    return subprocess.run(
        ["psql", "--dbname", url, "--tuples-only", "--no-align", "--command", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def snapshot_rows(url: str) -> int:
    return int(psql(url, "SELECT count(*) FROM followup_snapshot WHERE as_of = current_date - 1"))


def run_wrk(
    routes_: list[Route], duration: int, connections: dict[str, int]
) -> dict[str, subprocess.Popen]:
    processes = {}
    for route in routes_:
        count = connections[route.name]
        threads = count if route.name == "report_save" else 1
        processes[route.name] = subprocess.Popen(
            [
                "wrk",
                "--threads",
                str(threads),
                "--connections",
                str(count),
                "--duration",
                f"{duration}s",
                "--timeout",
                "10s",
                "--script",
                str(write_script(route, WORK)),
                BASE,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    return processes


def wait_for_log(log: Path, pattern: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if re.search(pattern, log.read_text(errors="replace")):
            return True
        time.sleep(0.1)
    return False


def one_run(
    name: str,
    url: str,
    env: dict,
    world: dict,
    duration: int,
    fault: bool,
    connections: dict[str, int],
) -> dict:
    web_log, worker_log = WORK / f"{name}-web.log", WORK / f"{name}-worker.log"
    worker_log.write_text("")
    gunicorn = start_gunicorn(env, web_log)
    celery = start_celery(env, worker_log)
    wait_for_log(worker_log, r"ready\.", 60)
    try:
        all_routes = routes(world, BASE)
        expected_snapshot = None
        if fault:
            expected_snapshot = snapshot_rows(url)
            psql(url, "DELETE FROM followup_snapshot WHERE as_of = current_date - 1")
        started = time.monotonic()
        processes = run_wrk(all_routes, duration, connections)
        memory: dict[int, list[float]] = {}
        events = []
        jobs_sent = killed = False
        while any(process.poll() is None for process in processes.values()):
            elapsed = time.monotonic() - started
            for pid in worker_pids(gunicorn.pid):
                if (value := rss_mb(pid)) is not None:
                    memory.setdefault(pid, []).append(value)
            if not jobs_sent and elapsed > (duration / 2 - 5 if fault else 10):
                celery_call(env, "clinics.tasks.run_daily_case_jobs")
                celery_call(env, "followup.tasks.take_nightly_snapshots")
                jobs_sent = True
                events.append(f"{elapsed:.0f} s: the nightly jobs sent to the worker")
            if fault and jobs_sent and not killed and elapsed > duration / 2:
                wait_for_log(worker_log, r"take_nightly_snapshots\[[^\]]+\] received", 30)
                time.sleep(0.5)
                finished = bool(
                    re.search(r"take_nightly_snapshots.*succeeded", worker_log.read_text())
                )
                victim = worker_pids(gunicorn.pid)[0]
                os.kill(victim, signal.SIGKILL)
                os.killpg(celery.pid, signal.SIGKILL)
                celery.wait()
                killed = True
                events.append(
                    f"{time.monotonic() - started:.0f} s: gunicorn worker {victim} and the Celery "
                    "worker killed (SIGKILL), the snapshot "
                    + ("already finished" if finished else "in progress")
                )
                time.sleep(1)
                celery = start_celery(env, worker_log)
                events.append(f"{time.monotonic() - started:.0f} s: the Celery worker restarted")
            time.sleep(2)
        results = {}
        for route, process in processes.items():
            output = process.stdout.read()
            match = re.search(r"RESULT (\{.*\})", output)
            if not match:
                sys.exit(f"wrk for {route} printed no result:\n{output}")
            results[route] = json.loads(match.group(1))
        snapshot = None
        if fault:
            deadline = time.monotonic() + VISIBILITY_TIMEOUT_S + 120
            while snapshot_rows(url) < expected_snapshot and time.monotonic() < deadline:
                time.sleep(1)
            snapshot = {
                "expected": expected_snapshot,
                "found": snapshot_rows(url),
                "after_s": round(time.monotonic() - started, 0),
            }
        else:
            deadline = time.monotonic() + 120
            while not re.search(r"take_nightly_snapshots.*succeeded", worker_log.read_text()):
                if time.monotonic() > deadline:
                    sys.exit(f"The nightly snapshot did not finish; see {worker_log}")
                time.sleep(1)
        jobs = re.findall(r"Task (\S+)\[[^\]]+\] succeeded in ([0-9.]+)s", worker_log.read_text())
        return {
            "connections": connections,
            "routes": results,
            "server": server_times(web_log),
            "memory": {pid: values for pid, values in memory.items() if len(values) > 3},
            "events": events,
            "snapshot": snapshot,
            "jobs": jobs,
        }
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        os.killpg(celery.pid, signal.SIGTERM)
        gunicorn.wait(timeout=60)
        celery.wait(timeout=120)


def route_of(path: str) -> str | None:
    for prefix, route in (
        ("/oversikt/", "overview"),
        ("/mottagningar/", "clinic_page"),
        ("/api/v1/clinics/", "api_clinics"),
        ("/api/v1/compliance/", "matrix"),
        ("/rapporter/", "report_save"),
    ):
        if path.startswith(prefix):
            return route
    return None


def server_times(log: Path) -> dict[str, list[float]]:
    """Each route's durations as the app logged them (halland_utbud.logs): the time in
    Django, without the wait for a free worker."""
    times: dict[str, list[float]] = {}
    for line in log.read_text(errors="replace").splitlines():
        if '"halland_utbud.requests"' not in line:
            continue
        entry = json.loads(line)
        if (route := route_of(entry["path"])) is not None:
            times.setdefault(route, []).append(entry["duration_ms"])
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def errors(result: dict) -> int:
    return sum(result[key] for key in ("unexpected", "connect", "read", "write", "timeout"))


def bound(run: dict, duration: int) -> str:
    """What bounds the latency at this many connections (Little's law): with N requests
    always in the server and X served a second, each spends N / X on average, its wait for
    a free worker included, whatever the route. The p99 cannot be under that mean."""
    connections = sum(run["connections"].values())
    served = sum(result["requests"] for result in run["routes"].values()) / duration
    mean_ms = 1000 * connections / served
    needed = connections / (P99_TARGET_MS / 1000)
    busy = sum(sum(values) for values in run["server"].values()) / (duration * 1000)
    return (
        f"What bounds it: {connections} connections at {served:.1f} requests a second spend "
        f"{mean_ms:,.0f} ms each on average in the server, waiting included (Little's law). "
        f"The request log adds up to {busy:.2f} s of work a second for 2 workers. A p99 "
        f"under {P99_TARGET_MS} ms at {connections} connections needs a mean under it, so at "
        f"least {needed:,.0f} requests a second: {needed / served:.1f} × what this machine "
        "served.\n"
    )


def table(name: str, run: dict, duration: int) -> str:
    lines = [
        f"### {name}",
        "",
        "| route | connections | requests | per second | p50 ms | p95 ms | p99 ms | max ms "
        "| errors | p99 target |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for route, result in run["routes"].items():
        seconds = result["duration_us"] / 1e6
        p99 = result["p99"] / 1000
        target = f"≤ {P99_TARGET_MS} ms: " + ("met" if p99 <= P99_TARGET_MS else "**not met**")
        lines.append(
            f"| {route} | {run['connections'][route]} | {result['requests']:,} "
            f"| {result['requests'] / seconds:.1f} | {result['p50'] / 1000:.0f} "
            f"| {result['p95'] / 1000:.0f} | {p99:.0f} | {result['max'] / 1000:.0f} "
            f"| {errors(result)} | {target} |"
        )
    lines += [
        "",
        "The same requests' time in the app (its request log): what a request costs once a "
        "worker takes it, without the wait for a free worker.",
        "",
        "| route | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|",
    ]
    for route, values in run["server"].items():
        lines.append(
            f"| {route} | {percentile(values, 0.5):.0f} | {percentile(values, 0.95):.0f} "
            f"| {percentile(values, 0.99):.0f} |"
        )
    total = sum(result["requests"] for result in run["routes"].values())
    lines += ["", f"{total:,} requests in {duration} s: {total / duration:.1f} a second.", ""]
    lines += ["Memory of each gunicorn worker (RSS, MB), sampled every two seconds:", ""]
    for pid, values in run["memory"].items():
        # The first quarter is the worker's warm-up (templates, translations, connections).
        growth = values[-1] - values[len(values) // 4]
        verdict = "flat" if growth <= RSS_GROWTH_TARGET_MB else "**grew**"
        quarters = " → ".join(f"{values[len(values) * q // 4 - (q == 4)]:.0f}" for q in range(5))
        lines.append(
            f"- worker {pid}: {quarters} at each quarter of its life (max {max(values):.0f}; "
            f"{growth:+.0f} after the first quarter, {verdict}; target ≤ +{RSS_GROWTH_TARGET_MB})"
        )
    lines += ["", "Celery worker meanwhile:", ""]
    lines += [f"- {task} succeeded in {float(seconds):.1f} s" for task, seconds in run["jobs"]]
    if run["events"]:
        lines += ["", "Events:", ""] + [f"- {event}" for event in run["events"]]
    if run["snapshot"]:
        snapshot = run["snapshot"]
        complete = snapshot["found"] == snapshot["expected"]
        lines += [
            "",
            f"Snapshot after the restart: {snapshot['found']:,} of {snapshot['expected']:,} rows "
            f"({'complete' if complete else '**incomplete**'}), {snapshot['after_s']:.0f} s "
            "after the start.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--no-fault", action="store_true", help="only the normal run")
    args = parser.parse_args()

    url = database_url(CLINICS)
    ensure_database(url)
    print(f"Preparing {CLINICS:,} clinics (seeded once, kept)…", file=sys.stderr, flush=True)
    run_measure(url, "--prepare", str(CLINICS))  # migrated, vacuumed and analyzed
    WORK.mkdir(parents=True, exist_ok=True)
    env = server_env(url, secrets.token_urlsafe(64))
    for db in (BROKER, CACHE):
        subprocess.run(["redis-cli", "-u", db, "flushdb"], check=True, capture_output=True)
    setup = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "load_sessions.py"),
            str(CONNECTIONS["report_save"]),
        ],
        cwd=ROOT,
        env=env | {"DJANGO_SETTINGS_MODULE": "halland_utbud.settings"},
        capture_output=True,
        text=True,
    )
    if setup.returncode:
        sys.exit(f"Setting up the sessions failed:\n{setup.stderr}")
    world = json.loads(setup.stdout.strip().splitlines()[-1])

    runs = [("normal", False, CONNECTIONS), ("light", False, LIGHT)]
    runs += [] if args.no_fault else [("fault", True, CONNECTIONS)]
    report = [
        "# make load",
        "",
        f"gunicorn with 2 workers on 127.0.0.1, PostgreSQL with {len(world['clinics']):,} "
        "clinics, Redis, a Celery worker running the nightly jobs; wrk at "
        f"{sum(CONNECTIONS.values())} connections for {args.duration} s (the light run: one "
        "connection a route). This machine.",
        "",
    ]
    for name, fault, connections in runs:
        print(f"Run: {name} ({args.duration} s)…", file=sys.stderr, flush=True)
        result = one_run(name, url, env, world, args.duration, fault, connections)
        report.append(table(f"{name.capitalize()} run", result, args.duration))
        report.append(bound(result, args.duration))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(report), encoding="utf-8")
    print("\n".join(report))


if __name__ == "__main__":
    main()
