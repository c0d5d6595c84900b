"""Agreement packets of about 10, 40 and 120 pages: the whole job through a real worker against the bare render.

    DJANGO_ENV=test DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/bench_packets.py [--runs 3]

Needs PostgreSQL (the worker process reads the same throw-away database) and Redis. Seeds the demo county, then
gives its MOU's parties generated contacts so the contact directory grows the packet to the sizes wanted. For each
size it prints pages, the seconds from request to file saved through a real `celery worker -Q pdf` (median of
--runs), the seconds of the bare WeasyPrint render of the same HTML (layout + tagged PDF), their ratio, and what
tagging costs (the same write without tags). Then four 40-page packets asked for at once with two workers.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import connection, test_database
from django.conf import settings

SIZES = (("about 10 pages", ["directory"], 0), ("about 40 pages", None, 210), ("about 120 pages", None, 1300))


def _worker(media: Path, log: Path, name: str) -> subprocess.Popen:
    db = settings.DATABASES["default"]
    env = {**os.environ, "DJANGO_ENV": "test", "MEDIA_ROOT": str(media), "REDIS_URL": settings.REDIS_URL,
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"}
    handle = open(log, "wb")  # noqa: SIM115 (the process owns it)
    process = subprocess.Popen(  # noqa: S603 (a fixed argv of this interpreter; no shell)
        [sys.executable, "-m", "celery", "-A", "toolkit", "worker", "-Q", "pdf", "--pool=solo", "--loglevel=WARNING",
         "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--prefetch-multiplier=1"],
        cwd=settings.BASE_DIR, env=env, stdout=handle, stderr=subprocess.STDOUT)
    time.sleep(4)  # ready well before the first message (a late worker would only delay the first figure)
    return process


def _grow_directory(mou, contacts: int) -> None:
    from partners.models import Contact

    organizations = [party.organization for party in mou.parties.all() if party.organization]
    Contact.objects.filter(organization__in=organizations, name__startswith="Generated").delete()
    Contact.objects.bulk_create([
        Contact(workgroup=mou.workgroup, organization=organizations[n % len(organizations)],
                name=f"Generated Person {n:05d}", title="Shift supervisor", email=f"person{n}@example.org",
                phone=f"+1 202-555-{n % 10000:04d}")
        for n in range(contacts)
    ])


def _wait(job_ids: list[int], timeout: float = 600) -> float:
    from toolkit.models import Job, JobStatus

    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        statuses = list(Job.objects.filter(pk__in=job_ids).values_list("status", "error_message"))
        if all(status in (JobStatus.SUCCEEDED, JobStatus.FAILED) for status, _ in statuses):
            failed = [message for status, message in statuses if status == JobStatus.FAILED]
            if failed:
                raise SystemExit(f"A packet failed: {failed[0]}")
            return time.perf_counter()
        time.sleep(0.05)
    raise SystemExit("Packets not built in time; see the worker logs.")


def _request(mou, legal, sections):
    from agreements import services
    from agreements.models import AgreementPacket

    AgreementPacket.objects.filter(agreement=mou).update(options_key="old")  # never coalesce with an earlier run
    version = mou.versions.get(number=mou.current_version_number)
    packet, _ = services.packet_request(actor=legal, agreement=mou, version=version, sections=sections)
    return packet


def _bare(packet) -> tuple[float, float, int]:
    """Seconds for layout + tagged write, seconds for the write without tags, pages (same HTML as the job)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML, URLFetcher

    from agreements.packets import packet_context
    from toolkit.pdf import ACCESSIBLE

    html = render_to_string("agreements/pdf/packet.html", packet_context(packet))
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)
    start = time.perf_counter()
    document = HTML(string=html, base_url="data:,", url_fetcher=fetcher).render()
    laid_out = time.perf_counter()
    document.write_pdf(target=io.BytesIO(), **ACCESSIBLE)
    tagged = time.perf_counter()
    document.write_pdf(target=io.BytesIO())
    untagged = time.perf_counter()
    return tagged - start, (tagged - laid_out) - (untagged - tagged), len(document.pages)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise SystemExit("bench_packets needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL): a real worker builds "
                         "the packets.")

    with test_database(), tempfile.TemporaryDirectory() as folder:
        from io import StringIO

        from django.core.management import call_command

        from agreements.models import Agreement, PacketSection
        from toolkit.celery import app
        from toolkit.models import Job, User, Workgroup

        call_command("seed_demo", stdout=StringIO())
        county = Workgroup.objects.get(slug="riverbend-county")
        mou = Agreement.objects.filter(workgroup=county).order_by("pk").first()
        legal = User.objects.get(email="legal@example.org")
        media = Path(folder)
        settings.MEDIA_ROOT = media
        app.control.purge()
        workers = [_worker(media, media / "worker-1.log", "bench-1")]
        try:
            print(f"database: postgresql; {args.runs} runs each; the demo MOU (3 parties, default triage protocol)")
            print(f"{'packet':<18}{'pages':>7}{'job s':>9}{'bare s':>9}{'ratio':>8}{'tags s':>9}"
                  f"{'queued s':>10}{'in worker s':>13}")
            for label, sections, contacts in SIZES:
                _grow_directory(mou, contacts)
                chosen = sections if sections is not None else list(PacketSection.values)
                job_times, queued, in_worker = [], [], []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    packet = _request(mou, legal, chosen)
                    job_times.append(_wait([packet.job_id]) - start)
                    row = Job.objects.get(pk=packet.job_id)
                    queued.append((row.started_at - row.created_at).total_seconds())
                    in_worker.append((row.finished_at - row.started_at).total_seconds())
                # Median of as many bare renders as jobs, after one to warm this process up (fonts, caches),
                # as the worker is warm after its first packet.
                _bare(packet)
                renders = [_bare(packet) for _ in range(args.runs)]
                bare = statistics.median(r[0] for r in renders)
                tags = statistics.median(r[1] for r in renders)
                pages = renders[0][2]
                job = statistics.median(job_times)
                print(f"{label:<18}{pages:>7}{job:>9.2f}{bare:>9.2f}{job / bare:>8.2f}{tags:>9.2f}"
                      f"{statistics.median(queued):>10.2f}{statistics.median(in_worker):>13.2f}")

            _grow_directory(mou, SIZES[1][2])
            workers.append(_worker(media, media / "worker-2.log", "bench-2"))
            start = time.perf_counter()
            ids = []
            for _ in range(4):
                ids.append(_request(mou, legal, list(PacketSection.values)).job_id)
            done = _wait(ids) - start
            pages = [Job.objects.get(pk=i).agreement_packet.page_count for i in ids]
            print(f"4 packets of {min(pages)}–{max(pages)} pages at once, 2 workers: {done:.2f} s for all")
        finally:
            for worker in workers:
                worker.terminate()
                worker.wait(timeout=30)


if __name__ == "__main__":
    main()
