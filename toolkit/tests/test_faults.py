"""Faults the app must survive, each done for real: the broker down, the disk full, the database dropping every
connection, two people saving one record. (A worker killed mid-job: agreements/tests/test_packets_worker.py and
toolkit/tests/test_job_leases.py.)"""

from __future__ import annotations

import html
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from conftest import REQUIRE_SERVICES, require_worker_services, start_celery_worker, stop_celery_worker, wait_for
from toolkit.models import Job, JobStatus
from toolkit.services import job_create, job_run, job_send_unsent
from toolkit.services.messages import MSG_JOB_NO_ROOM

pytestmark = [pytest.mark.postgres]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def broker_of_our_own(tmp_path):
    """A Redis server of this test's own, which it can stop and start; the app's producer points at it."""
    from toolkit.celery import app

    require_worker_services()
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    servers: list[subprocess.Popen] = []

    def start() -> None:
        servers.append(subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for(lambda: _answers(port), timeout=10)

    old_url = app.conf.broker_url
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield {"url": url, "start": start}
    finally:
        app.conf.broker_url = old_url
        app._pool = None
        app.amqp._producer_pool = None
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_job_asked_for_while_redis_is_down_is_kept_and_runs_once_redis_is_back(
        client, workgroup, member, broker_of_our_own, tmp_path, settings):
    client.force_login(member)

    response = client.post(f"/w/{workgroup.slug}/jobs/start/workgroup_summary_pdf/")  # Redis is not running

    assert response.status_code == 302
    job = Job.objects.get()
    assert job.status == JobStatus.QUEUED and job.awaiting_broker
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "cannot be reached just now. This job is kept and starts by itself" in page
    assert job_send_unsent() == 0  # still down: nothing sent, nothing lost
    assert Job.objects.get().awaiting_broker

    broker_of_our_own["start"]()
    media = tmp_path / "media"
    media.mkdir()
    worker = start_celery_worker(media_root=media, log_path=tmp_path / "worker.log", queues="celery",
                                 extra_env={"REDIS_URL": broker_of_our_own["url"]})
    try:
        assert job_send_unsent() == 1  # what the sweeper does every minute
        done = wait_for(lambda: (j := Job.objects.get()).is_finished and j, timeout=90)
    finally:
        stop_celery_worker(worker)

    assert done.status == JobStatus.SUCCEEDED, done.error_message
    assert done.attempts == 1 and not done.awaiting_broker
    assert (media / done.result.name).read_bytes().startswith(b"%PDF-")


@pytest.fixture
def full_disk(tmp_path, settings):
    """MEDIA_ROOT on a 4 KB file system of its own (one page): any PDF fills it."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", str(mount)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        message = f"cannot mount a small file system here: {result.stderr.strip()}"
        if REQUIRE_SERVICES:
            pytest.fail(f"CI needs this (it runs as root): {message}", pytrace=False)
        pytest.skip(message)
    settings.MEDIA_ROOT = mount
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.django_db
def test_a_full_disk_while_the_pdf_is_stored_fails_the_job_cleanly_and_leaves_no_part_file(
        client, workgroup, member, full_disk):
    job = job_create(actor=member, workgroup=workgroup, kind="workgroup_summary_pdf")

    finished = job_run(job_id=job.pk)

    assert finished.status == JobStatus.FAILED
    assert finished.error_message == MSG_JOB_NO_ROOM
    assert not finished.result
    assert [p for p in Path(full_disk).rglob("*") if p.is_file()] == []
    client.force_login(member)
    assert client.get(f"/w/{workgroup.slug}/jobs/{job.pk}/download/").status_code == 404
    assert MSG_JOB_NO_ROOM in html.unescape(client.get(f"/w/{workgroup.slug}/jobs/{job.pk}/").content.decode())


def _drop_every_other_connection() -> int:
    """What a PostgreSQL restart does to the app: every connection it holds is cut."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.fixture
def gunicorn_server(tmp_path):
    """The production web server, as deployed with DATABASE_CONN_MAX_AGE: its workers keep their connections."""
    import os
    import sys

    from django.conf import settings as django_settings

    from conftest import test_database_url

    port = _free_port()
    env = {**os.environ, "DJANGO_ENV": "test", "DATABASE_URL": test_database_url(), "DATABASE_CONN_MAX_AGE": "60",
           "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "2",
           "MEDIA_ROOT": str(tmp_path)}
    env.pop("PYTEST_XDIST_WORKER", None)
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 (closed below)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "toolkit/gunicorn.conf.py", "toolkit.wsgi"],
                              cwd=django_settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: _answers(port), timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _session_for(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: user.get_session_auth_hash(), "toolkit_last_activity": int(time.time())})
    session.create()
    return session.session_key


@pytest.mark.django_db(transaction=True)
def test_requests_fail_cleanly_when_postgresql_drops_its_connections_and_recover_without_a_restart(
        gunicorn_server, workgroup, member):
    session_key = _session_for(member)
    results: list[tuple[float, int, str]] = []
    stop = threading.Event()

    def load() -> None:
        while not stop.is_set():
            request = urllib.request.Request(f"{gunicorn_server}/w/{workgroup.slug}/partners/",  # noqa: S310
                                             headers={"Cookie": f"sessionid={session_key}"})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (http://127.0.0.1)
                    results.append((time.monotonic(), response.status, ""))
            except urllib.error.HTTPError as error:
                results.append((time.monotonic(), error.code, error.read().decode(errors="replace")))

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    dropped = 0
    for _ in range(3):  # what a restart does to the app: every connection it holds is cut, more than once
        dropped += _drop_every_other_connection()
        time.sleep(0.3)
    cut_over = time.monotonic()
    time.sleep(3)
    stop.set()
    for thread in threads:
        thread.join(timeout=15)

    assert dropped >= 2, "the server's workers held no connections to cut"
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    assert {status for _, status, _ in results} <= {200, 500}
    for _, status, body in results:
        if status == 500:  # the app's own error page: nothing of the failure's internals
            assert "Traceback" not in body and "psycopg2" not in body and "terminating connection" not in body
    after = [status for at, status, _ in results if at > cut_over + 0.5]
    assert len(after) >= 5 and set(after) == {200}, f"the app did not recover by itself: {after}"
