"""Load test: gunicorn as production runs it, and 50 signed-in people from locust on loopback for 60 s.

    .venv/bin/python bench/load.py [--users 50] [--spawn-rate 10] [--time 60s] [--after-sign-in] [--profile]
                                   [--port N] [--rebuild]

1. A PostgreSQL database. With ``BENCH_DATABASE_URL`` set (e.g. a scale database built by bench/scale.py) that
   one is used as it is, on its busiest workgroup (``BENCH_LOAD_WORKGROUP=<slug>`` to choose); otherwise
   ``bench_load`` on 127.0.0.1 is built once (``--rebuild`` builds it again): the demo workgroup of
   ``manage.py seed_demo`` with 300 incidents instead of 60, plus 300 organizations with 1,500 contacts and
   40 agreements waiting for legal review. Either way ten accounts per role (coordinator, legal reviewer,
   QA reviewer; password ``LOAD_PASSWORD`` below) are made members, and the workgroup's two-step sign-in
   requirement is left off (``mfa_required`` false), so people sign in with a password alone.
2. ``collectstatic`` and gunicorn with ``toolkit/gunicorn.conf.py`` as it stands (its worker count: 2 × cores
   + 1 processes of 2 threads each, gthread), ``DJANGO_ENV=production`` with a throw-away secret key,
   ``ALLOWED_HOSTS=127.0.0.1``, DEBUG off, Redis db 13 (``BENCH_REDIS_URL``) as cache. Production settings
   stay as they are (HTTPS redirect, secure cookies): locust plays the TLS proxy the README puts in front of
   gunicorn, sending ``X-Forwarded-Proto: https``, which gunicorn and Django trust from 127.0.0.1.
3. locust headless with bench/locustfile.py (the pages in bench/load_pages.py); 4. a table per page from its
   CSV, ``uptime`` before and after, and the CPU gunicorn and locust used. gunicorn is stopped on the way out,
   whatever happens. Nothing here asserts a time.

``--after-sign-in`` counts the time from the moment the last person is signed in (a burst of 50 sign-ins, each
a deliberately slow password hash, is shown apart); ``--profile`` first measures each page in-process (queries,
time, CPU), which tells the app's own cost from the machine's.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_load"
LOAD_PASSWORD = "load-pass-988-bench"  # bench accounts only, in a bench database
ACCOUNTS_PER_ROLE = 10
ROLES = ("coordinator", "legal_reviewer", "qa_reviewer")


# --- 1. The database (run in a child process, with Django set up on it) -------------------------------------


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toolkit.settings")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()


def prepare(plan_path: str, build: bool) -> None:
    """Migrate, build the data if asked, make the load accounts, and write what locust needs to ``plan_path``."""
    _setup_django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db.models import Count

    from agreements.models import Agreement, AgreementStatus
    from incidents.models import Incident, IncidentStatus
    from partners.models import Organization
    from toolkit.models import Membership, Workgroup

    call_command("migrate", verbosity=0)
    if build:
        started = time.perf_counter()
        _build_demo()
        print(f"built the load workgroup in {time.perf_counter() - started:.0f} s", flush=True)
    slug = os.environ.get("BENCH_LOAD_WORKGROUP")
    if slug:
        workgroup = Workgroup.objects.get(slug=slug)
    else:  # the busiest workgroup: most organizations
        busiest = (Organization.objects.values("workgroup").annotate(n=Count("pk")).order_by("-n", "workgroup")
                   .first())
        workgroup = Workgroup.objects.get(pk=busiest["workgroup"])
    if workgroup.mfa_required:
        print(f"note: two-step sign-in was required in {workgroup.slug}; turned off for the load accounts")
        Workgroup.objects.filter(pk=workgroup.pk).update(mfa_required=False)
    user_model = get_user_model()
    password = make_password(LOAD_PASSWORD)  # hashed once: the same password for every load account
    accounts = {}
    for role in ROLES:
        accounts[role] = []
        for n in range(ACCOUNTS_PER_ROLE):
            email = f"load-{role.replace('_', '-')}-{n:02d}@load.test"
            user, _ = user_model.objects.update_or_create(
                email=email, defaults={"first_name": "Load", "last_name": f"{role} {n}", "password": password,
                                       "is_active": True})
            Membership.objects.update_or_create(user=user, workgroup=workgroup, defaults={"role": role})
            accounts[role].append(email)

    def ids(queryset, limit=200):
        return list(queryset.order_by("?").values_list("pk", flat=True)[:limit])

    agreements = Agreement.objects.filter(workgroup=workgroup, current_version_number__gte=1)
    in_review = agreements.filter(status=AgreementStatus.IN_REVIEW)
    plan = {
        "slug": workgroup.slug,
        "password": LOAD_PASSWORD,
        "accounts": accounts,
        "organizations": ids(Organization.objects.filter(workgroup=workgroup)),
        "agreements": [list(row) for row in agreements.order_by("?").values_list("pk", "current_version_number")[:200]],
        "in_review": [list(row) for row in (in_review if in_review.exists() else agreements)
                      .order_by("?").values_list("pk", "current_version_number")[:200]],
        "incidents": ids(Incident.objects.filter(workgroup=workgroup)),
        "open_incidents": ids(Incident.objects.filter(workgroup=workgroup).exclude(status=IncidentStatus.CLOSED)),
    }
    Path(plan_path).write_text(json.dumps(plan))
    print(f"workgroup {workgroup.slug}: {Organization.objects.filter(workgroup=workgroup).count()} organizations, "
          f"{agreements.count()} agreements ({in_review.count()} in review), "
          f"{Incident.objects.filter(workgroup=workgroup).count()} incidents", flush=True)


def profile(plan_path: str, iterations: int = 9) -> None:
    """Each page of the journeys in this process, as its role: queries, median time and CPU (the app's own cost,
    without gunicorn, locust or the network), size; and one password check, the cost of a sign-in."""
    import statistics

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import check_password, make_password
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from load_pages import JOURNEYS, path_for

    plan = json.loads(Path(plan_path).read_text())
    weighted_cpu = {}
    print(f"\n{'role':<15} {'page':<26} {'queries':>7} {'ms':>6} {'CPU ms':>6} {'KB':>5}")
    for role, journey in JOURNEYS.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(get_user_model().objects.get(email=plan["accounts"][role][0]))
        cpu_by_page = {}
        for page, _weight in journey:
            path = path_for(page, plan, role, lambda ids: ids[0])
            client.get(path)  # warm-up
            walls, cpus = [], []
            for _ in range(iterations):
                with CaptureQueriesContext(connection) as queries:
                    wall, cpu = time.perf_counter(), time.process_time()
                    response = client.get(path)
                    walls.append((time.perf_counter() - wall) * 1000)
                    cpus.append((time.process_time() - cpu) * 1000)
            cpu_by_page[page] = statistics.median(cpus)
            print(f"{role:<15} {page:<26} {len(queries.captured_queries):>7} {statistics.median(walls):>6.1f} "
                  f"{cpu_by_page[page]:>6.1f} {len(response.content) // 1024:>5}"
                  f"{'' if response.status_code == 200 else f'  status {response.status_code}'}")
        weights = sum(weight for _, weight in journey)
        weighted_cpu[role] = sum(cpu_by_page[page] * weight for page, weight in journey) / weights
    print("CPU a page, weighted as the journeys open them: "
          + ", ".join(f"{role} {cpu:.1f} ms" for role, cpu in weighted_cpu.items()))
    hashed = make_password("a password")
    cpu = time.process_time()
    check_password("a password", hashed)
    print(f"one password check (each sign-in): {(time.process_time() - cpu) * 1000:.0f} ms CPU")


def _build_demo() -> None:
    from bench_partners import populate
    from django.core.management import call_command

    import incidents.demo
    from agreements import services
    from agreements.models import AgreementTemplate
    from partners.models import Organization
    from toolkit.models import Membership, Role, Workgroup

    incidents.demo.COUNT = 300  # a year of incidents in every state of the QA workflow, instead of 60
    call_command("seed_demo")
    workgroup = Workgroup.objects.get(slug="riverbend-county")
    populate(workgroup, organizations=300, contacts=1500)
    coordinator = Membership.objects.filter(workgroup=workgroup, role=Role.COORDINATOR).first().user
    template = AgreementTemplate.objects.get(workgroup=workgroup, key="mou")
    organizations = list(Organization.objects.filter(workgroup=workgroup).order_by("pk")[:60])
    for n in range(40):
        parties = [{"organization": organizations[(n + k) % len(organizations)]} for k in range(3)]
        agreement = services.agreement_create(actor=coordinator, workgroup=workgroup, template=template,
                                              title=f"Load MOU {n:02d}", parties=parties)
        services.agreement_submit(actor=coordinator, agreement=agreement)


# --- 2–4. The run --------------------------------------------------------------------------------------------


def _database_exists(url: str) -> bool:
    import psycopg2

    name = url.rsplit("/", 1)[1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return True
        return False
    finally:
        admin.close()


def _create_database(url: str, drop: bool) -> None:
    import psycopg2

    name = url.rsplit("/", 1)[1]
    if not name.startswith("bench_load"):
        raise SystemExit(f"refusing to create or drop {name!r}: the load database's name starts with bench_load")
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            if drop:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()


def _free_port(wanted: int) -> int:
    """``wanted`` if nothing listens there (0: any free port); another server's answers must not be measured."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", wanted))
        except OSError:
            raise SystemExit(f"port {wanted} is in use; choose another with --port") from None
        return probe.getsockname()[1]


def _static_is_collected(static_root: Path) -> bool:
    """Collected after the last change to the app's static files and the npm libraries it serves."""
    manifest = static_root / "staticfiles.json"
    if not manifest.exists():
        return False
    sources = [ROOT / "static", ROOT / "package-lock.json"]
    newest = max(path.stat().st_mtime for source in sources for path in [source, *source.rglob("*")])
    return manifest.stat().st_mtime > newest


def _children_cpu() -> float:
    """CPU seconds (user + system) of the child processes that have ended, their own children included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _wait_until_up(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped while starting; see its log above")
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": "127.0.0.1"})
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /healthz in time")


def _warm_up(port: int, requests: int = 40) -> None:
    """A few sign-in forms, so every worker has loaded the URLs and views before the clock starts."""
    for _ in range(requests):
        request = urllib.request.Request(f"http://127.0.0.1:{port}/accounts/login/",
                                         headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # gunicorn's graceful stop; its workers go with it
    try:
        process.wait(timeout=35)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _ms(value) -> str:
    return "" if value in ("", "N/A", None) else f"{float(value):.0f}"


def _seconds(duration: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600}
    return int(duration[:-1]) * units[duration[-1]] if duration[-1] in units else int(duration)


def print_table(stats_csv: Path, failures_csv: Path, sign_in_json: Path) -> None:
    with stats_csv.open() as handle:
        rows = [row for row in csv.DictReader(handle) if row["Request Count"] != "0"]
    if sign_in_json.exists():  # --after-sign-in: the sign-in burst, measured before the pages' clock started
        for name, kept in json.loads(sign_in_json.read_text()).items():
            rows.append({"Name": f"{name} (burst, before)", "Request Count": kept["requests"],
                         "Failure Count": kept["failures"], "Requests/s": kept["rps"], "50%": kept["p50"],
                         "95%": kept["p95"], "99%": kept["p99"], "Max Response Time": kept["max"]})
    print()
    print(f"{'page':<34} {'requests':>8} {'failures':>8} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
          f"{'max ms':>7}")
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        name = "total" if row["Name"] == "Aggregated" else row["Name"]
        print(f"{name:<34} {row['Request Count']:>8} {row['Failure Count']:>8} {float(row['Requests/s']):>6.1f} "
              f"{_ms(row['50%']):>7} {_ms(row['95%']):>7} {_ms(row['99%']):>7} {_ms(row['Max Response Time']):>7}")
    if failures_csv.exists():
        grouped: dict[tuple[str, str, str], int] = {}
        with failures_csv.open() as handle:
            for failure in csv.DictReader(handle):  # ids in the error replaced by N, so alike failures add up
                key = (failure["Method"], failure["Name"], re.sub(r"\d+", "N", failure["Error"]))
                grouped[key] = grouped.get(key, 0) + int(failure["Occurrences"])
        for (method, name, error), count in sorted(grouped.items(), key=lambda item: -item[1])[:20]:
            print(f"failure: {method} {name}: {error} × {count}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--time", default="60s")
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument("--after-sign-in", action="store_true",
                        help="measure the pages for --time from the moment everyone is signed in (the sign-in "
                             "burst is shown apart)")
    parser.add_argument("--profile", action="store_true",
                        help="also measure each page in-process (queries, time, CPU) before the load")
    parser.add_argument("--rebuild", action="store_true", help="build the bench_load database again")
    parser.add_argument("--prepare", metavar="PLAN", help=argparse.SUPPRESS)  # the child process of step 1
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile-plan", metavar="PLAN", help=argparse.SUPPRESS)  # the child of --profile
    args = parser.parse_args()
    if args.prepare:
        prepare(args.prepare, args.build)
        return
    if args.profile_plan:
        _setup_django()
        profile(args.profile_plan)
        return

    args.port = _free_port(args.port)
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    database_url = os.environ.get("BENCH_DATABASE_URL", "")
    build = False
    if not database_url:
        database_url = DEFAULT_DATABASE_URL
        if args.rebuild or not _database_exists(database_url):
            _create_database(database_url, drop=args.rebuild)
            build = True
    plan = work / "plan.json"
    print(f"port: {args.port}")
    print(f"database: {database_url.rsplit('/', 1)[1]}{' (building it: a few minutes)' if build else ''}", flush=True)
    prepare_env = {**os.environ, "DJANGO_ENV": "local", "DATABASE_URL": database_url,
                   "TOOLKIT_VAR_DIR": str(work / "var-prepare")}
    prepare_env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, __file__, "--prepare", str(plan), *(["--build"] if build else [])],
                   env=prepare_env, check=True, cwd=ROOT)
    if args.profile:
        subprocess.run([sys.executable, __file__, "--profile-plan", str(plan)], env=prepare_env, check=True, cwd=ROOT)

    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),  # throw-away
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://127.0.0.1",
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        "STATIC_ROOT": str(ROOT / "var" / "load-static"),
        "MEDIA_ROOT": str(work / "media"),
        "TOOLKIT_VAR_DIR": str(work / "var"),
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        # Production's own default is 60 s; BENCH_CONN_MAX_AGE=0 compares a new connection for every request.
        "DATABASE_CONN_MAX_AGE": os.environ.get("BENCH_CONN_MAX_AGE", "60"),
        "LOG_LEVEL": "WARNING",
    }
    for name in ("DJANGO_DEBUG", "SECURE_SSL_REDIRECT", "GUNICORN_WORKERS", "GUNICORN_THREADS"):
        env.pop(name, None)  # the production defaults and the config's own worker count
    if _static_is_collected(Path(env["STATIC_ROOT"])):
        print("collectstatic: up to date")
    else:
        print("collectstatic (compressing takes a minute or two)", flush=True)
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, check=True,
                       cwd=ROOT)

    gunicorn_log = work / "gunicorn.log"
    gunicorn = None
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        with gunicorn_log.open("w") as log:
            gunicorn = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "toolkit/gunicorn.conf.py", "toolkit.wsgi"],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        _wait_until_up(args.port, gunicorn)
        if gunicorn.poll() is not None or "Listening at" not in gunicorn_log.read_text():
            raise SystemExit(f"gunicorn is not the server answering on port {args.port}; see {gunicorn_log}")
        _warm_up(args.port)
        workers = int(env.get("GUNICORN_WORKERS", os.cpu_count() * 2 + 1))
        print(f"gunicorn: toolkit/gunicorn.conf.py, {workers} workers × 2 threads (gthread), "
              f"{os.cpu_count()} cores; DJANGO_ENV=production, DEBUG off, "
              f"DATABASE_CONN_MAX_AGE={env['DATABASE_CONN_MAX_AGE']}", flush=True)
        before = _uptime()
        print(f"before: {before}", flush=True)
        prefix = work / "locust"
        sign_in_json = work / "sign-in.json"
        locust_env = {**os.environ, "LOAD_PLAN": str(plan), "LOAD_SIGN_IN_STATS": str(sign_in_json)}
        run_time = args.time
        if args.after_sign_in:  # locust stops itself that long after the last sign-in; -t is a safety net
            locust_env["LOAD_MEASURE_AFTER_SIGN_IN"] = str(_seconds(args.time))
            run_time = f"{_seconds(args.time) + 600}s"
        cpu_before = _children_cpu()
        with (work / "locust.log").open("w") as log:
            locust = subprocess.run(
                [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                 "-u", str(args.users), "-r", str(args.spawn_rate), "-t", run_time,
                 "--host", f"http://127.0.0.1:{args.port}", "--csv", str(prefix), "--only-summary"],
                env=locust_env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        after = _uptime()
        locust_cpu = _children_cpu() - cpu_before
        print_table(Path(f"{prefix}_stats.csv"), Path(f"{prefix}_failures.csv"), sign_in_json)
        print()
        clock = "from the last sign-in" if args.after_sign_in else "from the first user"
        print(f"{args.users} users (spawned {args.spawn_rate:g}/s), {args.time} {clock}; "
              f"locust exit {locust.returncode}")
        print(f"before: {before}")
        print(f"after:  {after}")
        print(f"logs: {work / 'locust.log'}, {gunicorn_log}")
        cpu_before = _children_cpu()
        _stop(gunicorn)
        print(f"CPU used: gunicorn {_children_cpu() - cpu_before:.0f} s (its whole life: start, warm-up, run), "
              f"locust {locust_cpu:.0f} s; the machine has {os.cpu_count()} cores")
    finally:
        _stop(gunicorn)
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    main()
