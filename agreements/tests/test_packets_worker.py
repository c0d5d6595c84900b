"""Agreement packets through real Celery workers on Redis and PostgreSQL, including one killed mid-render."""

from __future__ import annotations

from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from agreements import packets, services
from agreements.models import Agreement, AgreementPacket, PacketSection
from conftest import require_worker_services, start_celery_worker, stop_celery_worker, wait_for
from toolkit import jobs
from toolkit.models import Job, JobStatus, User, Workgroup

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=StringIO())
    county = Workgroup.objects.get(slug="riverbend-county")
    return {"county": county, "mou": Agreement.objects.filter(workgroup=county).order_by("pk").first()}


def _finished(job_id: int):
    def check():
        job = Job.objects.get(pk=job_id)
        return job if job.is_finished else None

    return check


def test_a_legal_reviewer_asks_for_a_packet_the_worker_builds_it_and_only_the_right_people_download_it(
    client, demo, worker_media
):
    legal = User.objects.get(email="legal@example.org")
    mou, county = demo["mou"], demo["county"]
    client.force_login(legal)
    response = client.post(reverse("agreements:packet-list", kwargs={"slug": county.slug, "agreement_id": mou.pk}),
                           {"version": mou.current_version_number, "sections": list(PacketSection.values)})
    packet = AgreementPacket.objects.get()
    # The worker may have claimed it already: it is asked for, not finished, when the page answers.
    assert response.status_code == 302 and packet.job.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    job = wait_for(_finished(packet.job_id), timeout=90)

    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.attempts == 1 and job.progress == 100
    packet.refresh_from_db()
    assert packet.page_count > 10 and len(packet.sha256) == 64
    download = reverse("agreements:packet-download",
                       kwargs={"slug": county.slug, "agreement_id": mou.pk, "packet_id": packet.pk})
    expected = {"coordinator@example.org": 200, "legal@example.org": 200, "member@example.org": 403,
                "qa@example.org": 403, "viewer@example.org": 403}
    for email, status in expected.items():
        client.force_login(User.objects.get(email=email))
        answer = client.get(download)
        assert answer.status_code == status, email
        if status == 200:
            assert b"".join(answer.streaming_content).startswith(b"%PDF-")
    # Someone who coordinates the other demo workgroup, at their own address with our ids: nothing.
    other = Workgroup.objects.exclude(pk=county.pk).get()
    outsider = User.objects.create_user(email="outsider@elsewhere.test", password="x" * 12)
    other.memberships.create(user=outsider, role="coordinator")
    client.force_login(outsider)
    assert client.get(download.replace(f"/w/{county.slug}/", f"/w/{other.slug}/")).status_code == 404
    assert client.get(download).status_code == 404


def test_a_worker_killed_while_it_renders_loses_nothing_and_the_next_worker_finishes_with_one_file(
    demo, tmp_path, settings, monkeypatch
):
    from toolkit.celery import app

    require_worker_services()
    # Workers of their own, on a queue of their own (the session's worker must not pick the packet up), with a
    # short lease and a short broker visibility timeout, so the message of the killed worker comes back quickly.
    queue = "pdf-fault-test"
    monkeypatch.setitem(jobs._KINDS, packets.KIND, replace(jobs.get_kind(packets.KIND), queue=queue))
    app.control.purge()
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    env = {"JOB_LEASE_SECONDS": "3", "BROKER_VISIBILITY_TIMEOUT_SECONDS": "4"}
    first = start_celery_worker(media_root=media, log_path=tmp_path / "first.log", queues=queue, extra_env=env)
    mou = demo["mou"]
    legal = User.objects.get(email="legal@example.org")
    try:
        packet, _ = services.packet_request(actor=legal, agreement=mou,
                                            version=mou.versions.get(number=mou.current_version_number),
                                            sections=list(PacketSection.values))
        wait_for(lambda: Job.objects.get(pk=packet.job_id).progress_note.startswith("Laying out"),
                 timeout=90, interval=0.05)
        first.kill()  # mid-render: WeasyPrint is laying out the pages
        first.wait(timeout=10)
    finally:
        stop_celery_worker(first)
    assert Job.objects.get(pk=packet.job_id).status == JobStatus.RUNNING

    second = start_celery_worker(media_root=media, log_path=tmp_path / "second.log", queues=queue, extra_env=env)
    try:
        job = wait_for(_finished(packet.job_id), timeout=120)
    finally:
        stop_celery_worker(second)

    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.attempts == 2  # the killed run, then the one that finished
    assert [path.name for path in media.rglob("*.pdf")] == [job.filename]
    packet.refresh_from_db()
    assert packet.job_id == job.pk and packet.page_count
