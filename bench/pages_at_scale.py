"""Every list and dashboard page at 1,000 rows and at full scale, beside Django's admin changelist for the same model
on the same data; prints a table (no pass/fail).

    .venv/bin/python bench/scale.py --size small && .venv/bin/python bench/scale.py --size full   # once
    .venv/bin/python bench/pages_at_scale.py [--iterations 10] [--only audit]

Each size is measured in a process of its own against its database (``scale.py``'s ``bench_scale_small`` and
``bench_scale``), the two taking turns request by request so that other work on the machine weighs on both
alike: the page as a signed-in coordinator (the QA queue as the QA reviewer, the review queue as the
legal reviewer) through ``django.test.Client``, then the admin changelist of the page's model as a superuser
whose session passed the second step (django-otp's session key set, as a sign-in with a code sets it). Models
the project's admin does not register are measured on a second admin site with a default ``ModelAdmin``
(``_scale_urls.py``). Times are the median of ``--iterations`` requests after one warm-up, the whole request
through the test client (middleware, view, template); queries are those of the last request.

Goals (issue 17): a page within 1.0× of the admin changelist; at most 1.5× slower at full scale than at 1,000
rows; a query count that does not grow with rows.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SIZES = {"small": "bench_scale_small", "full": "bench_scale"}
SERVER = "postgres://postgres@127.0.0.1:5432"
W = "/w/scale"

# (label, who, the page, the model whose rows are counted and whose admin changelist is measured beside it)
PAGES = [
    ("dashboard", "coordinator", "/", "toolkit.AuditEvent"),  # beside the admin's index: no one model
    ("partner map", "coordinator", "/partners/", "partners.Organization"),
    ("organizations (directory)", "coordinator", "/partners/organizations/", "partners.Organization"),
    ("directory, search a person", "coordinator", "/partners/organizations/?q=person+00042", "partners.Contact"),
    ("coverage", "coordinator", "/partners/coverage/", "partners.Organization"),
    ("power-interest grid", "coordinator", "/partners/grid/", "partners.Organization"),
    ("RACI matrix", "coordinator", "/partners/raci/", "partners.RaciAssignment"),
    ("sectors", "coordinator", "/partners/sectors/", "partners.Sector"),
    ("readiness rounds", "coordinator", "/readiness/", "readiness.AssessmentRound"),
    ("readiness instruments", "coordinator", "/readiness/instruments/", "readiness.Instrument"),
    ("readiness actions", "coordinator", "/readiness/actions/", "readiness.ActionItem"),
    ("agreements", "coordinator", "/agreements/", "agreements.Agreement"),
    ("clause library", "coordinator", "/agreements/library/", "agreements.AgreementTemplate"),
    ("review queue (legal)", "legal", "/agreements/review-queue/", "agreements.Agreement"),
    ("triage protocols", "coordinator", "/triage/", "triage.Protocol"),
    ("incidents", "coordinator", "/incidents/", "incidents.Incident"),
    ("QA queue (submitted, QA)", "qa", "/incidents/?status=submitted", "incidents.Incident"),
    ("incident trends", "coordinator", "/incidents/trends/", "incidents.Incident"),
    ("transfers", "coordinator", "/transfers/", "triage.Transfer"),
    ("transfer metrics", "coordinator", "/transfers/metrics/", "triage.Transfer"),
    ("jobs", "coordinator", "/jobs/", "toolkit.Job"),
    ("audit trail", "coordinator", "/audit/", "toolkit.AuditEvent"),
    ("members", "coordinator", "/members/", "toolkit.Membership"),
]
PEOPLE = {"coordinator": "coord@scale.test", "qa": "qa@scale.test", "legal": "legal@scale.test"}


def _clients():
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    users = get_user_model().objects
    clients = {}
    for who, email in PEOPLE.items():
        clients[who] = Client()
        clients[who].force_login(users.get(email=email))
    admin = users.get(email="admin@scale.test")
    clients["admin"] = Client()
    clients["admin"].force_login(admin)
    session = clients["admin"].session  # what django_otp.login() stores once a code is accepted
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=admin).persistent_id
    session.save()
    return clients


def _admin_url(model) -> str:
    """The project's admin changelist, or the bench admin site's for a model the project's admin leaves out."""
    from django.contrib import admin

    meta = model._meta
    return f"/{'admin' if admin.site.is_registered(model) else 'bench-admin'}/{meta.app_label}/{meta.model_name}/"


def _once(client, url: str) -> tuple[float, int, int]:
    """One request: (ms, queries, HTTP status)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
    return elapsed, len(ctx.captured_queries), response.status_code


def serve(size: str) -> None:
    """The measuring process of one size, against DATABASE_URL: reads a page's index a line, requests the page
    and then its admin page once, and writes the figures as a JSON line (the first time, after a warm-up)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import _common  # noqa: F401  (Django set up)
    from django.apps import apps
    from django.test.utils import override_settings

    override_settings(ROOT_URLCONF="_scale_urls").enable()
    clients, rows = _clients(), {}
    for line in sys.stdin:
        label, who, path, model_label = PAGES[int(line)]
        model = apps.get_model(model_label)
        url, admin_url = W + path, _admin_url(model) if path != "/" else "/admin/"
        if label not in rows:
            rows[label] = model.objects.count()
            clients[who].get(url)
            clients["admin"].get(admin_url)
        ms, queries, status = _once(clients[who], url)
        admin_ms, admin_queries, admin_status = _once(clients["admin"], admin_url)
        print(json.dumps({"label": label, "size": size, "rows": rows[label], "url": url,
                          "admin_url": admin_url, "ms": ms, "queries": queries, "status": status,
                          "admin_ms": admin_ms, "admin_queries": admin_queries, "admin_status": admin_status}),
              flush=True)


def measure(iterations: int, only: str) -> dict[str, list[dict]]:
    """Both sizes at once, a process each, taking turns request by request (small, full, small, …), so that
    whatever else runs on the machine weighs on both alike. Medians of ``iterations`` requests."""
    servers = {}
    for size, database in SIZES.items():
        env = {**os.environ, "DJANGO_ENV": "test", "DATABASE_URL": f"{SERVER}/{database}", "PAGES_AT_SCALE_CHILD": "1"}
        argv = [sys.executable, __file__, "--serve", size]
        servers[size] = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,  # noqa: S603
                                         text=True, bufsize=1)
    results: dict[str, list[dict]] = {size: [] for size in SIZES}
    try:
        for index, (label, *_) in enumerate(PAGES):
            if only and only not in label:
                continue
            runs: dict[str, list[dict]] = {size: [] for size in SIZES}
            for _ in range(iterations):
                for size, server in servers.items():
                    server.stdin.write(f"{index}\n")
                    runs[size].append(json.loads(server.stdout.readline()))
            for size, found in runs.items():
                last = found[-1]
                results[size].append({**last, "ms": statistics.median(r["ms"] for r in found),
                                      "admin_ms": statistics.median(r["admin_ms"] for r in found)})
                print(f"  {size:<5} {label:<28} {results[size][-1]['ms']:8.1f} ms {last['queries']:3d} q   "
                      f"admin {results[size][-1]['admin_ms']:8.1f} ms", file=sys.stderr, flush=True)
    finally:
        for server in servers.values():
            server.stdin.close()
            server.wait()
    return results


def _ratio(a: float, b: float) -> str:
    return f"{a / b:5.2f}" if b else "  —"


def table(small: list[dict], full: list[dict]) -> None:
    by_label = {r["label"]: r for r in full}
    head = (f"{'page':<28} {'rows small / full':>21} {'queries':>9} {'ms small / full':>17} {'full÷small':>10} "
            f"{'admin ms small / full':>22} {'page÷admin s / f':>17}  goals")
    print(head)
    print("-" * len(head))
    for s in small:
        f = by_label.get(s["label"])
        if f is None:
            continue
        growth = f["ms"] / s["ms"] if s["ms"] else 0
        missed = []
        if f["ms"] > f["admin_ms"]:
            missed.append(f"{f['ms'] / f['admin_ms']:.2f}× admin")
        if growth > 1.5:
            missed.append(f"{growth:.2f}× small")
        if f["queries"] > s["queries"]:
            missed.append("queries grow")
        if 200 not in (s["status"], f["status"]) or s["status"] != 200 or f["status"] != 200:
            missed.append(f"HTTP {s['status']}/{f['status']}")
        if s["admin_status"] != 200 or f["admin_status"] != 200:
            missed.append(f"admin HTTP {s['admin_status']}/{f['admin_status']}")
        print(f"{s['label']:<28} {s['rows']:>9,} / {f['rows']:>9,} {s['queries']:>4}/{f['queries']:<4} "
              f"{s['ms']:>7.1f} / {f['ms']:>7.1f} {_ratio(f['ms'], s['ms']):>10} "
              f"{s['admin_ms']:>9.1f} / {f['admin_ms']:>9.1f} {_ratio(s['ms'], s['admin_ms']):>8} / "
              f"{_ratio(f['ms'], f['admin_ms'])}  {'; '.join(missed) or 'met'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--only", default="", help="only pages whose label contains this")
    parser.add_argument("--serve", choices=sorted(SIZES), help=argparse.SUPPRESS)  # a measuring process
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    if os.environ.get("PAGES_AT_SCALE_CHILD"):
        parser.error("a measuring process starts no others")
    results = measure(args.iterations, args.only)
    print(f"\nmedian of {args.iterations} requests each; small = {SIZES['small']}, full = {SIZES['full']}\n")
    table(results["small"], results["full"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
