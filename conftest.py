"""Shared test set-up: standard people, and the services some tests need.

People (CONVENTIONS): in the workgroup ``riverbend`` one user per role; ``outsider``
coordinates another workgroup, ``elsewhere``.

Services: tests marked ``postgres``, ``redis`` or ``browser`` need the real thing.
When it is missing they are skipped with a reason, except under CI
(TOOLKIT_TEST_REQUIRE_SERVICES=1), where a missing service fails the test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from toolkit.models import Role
from toolkit.tests.factories import MembershipFactory, UserFactory, WorkgroupFactory

REQUIRE_SERVICES = os.environ.get("TOOLKIT_TEST_REQUIRE_SERVICES") == "1"
ARTIFACTS_DIR = Path(settings.BASE_DIR) / "test-artifacts"


def _missing(marker: str) -> str | None:
    if marker == "postgres" and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL (set DATABASE_URL or run `make test` with PostgreSQL up)"
    if marker == "redis" and not settings.REDIS_URL:
        return "needs Redis (set REDIS_URL or run `make test` with Redis up)"
    if marker == "browser" and not os.environ.get("CHROMIUM_PATH"):
        return "needs Debian's Chromium (apt-get install chromium; make test sets CHROMIUM_PATH)"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in ("postgres", "redis", "browser"):
        if item.get_closest_marker(marker) and (reason := _missing(marker)):
            if REQUIRE_SERVICES:
                pytest.fail(f"CI requires this service: {reason}", pytrace=False)
            pytest.skip(reason)


@pytest.fixture(autouse=True)
def _test_settings(tmp_path, settings):
    """Generated files go to a per-test folder, never into var/; passwords hash fast."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # PBKDF2 at full strength costs ~0.3 s per user; tests create thousands of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def workgroup(db):
    return WorkgroupFactory(name="Riverbend County Workgroup", slug="riverbend")


@pytest.fixture
def other_workgroup(db):
    return WorkgroupFactory(name="Elsewhere Secret Workgroup", slug="elsewhere")


def _person(workgroup, role: str, email: str):
    user = UserFactory(email=email)
    MembershipFactory(user=user, workgroup=workgroup, role=role)
    return user


@pytest.fixture
def coordinator(workgroup):
    return _person(workgroup, Role.COORDINATOR, "coordinator@riverbend.test")


@pytest.fixture
def member(workgroup):
    return _person(workgroup, Role.MEMBER, "member@riverbend.test")


@pytest.fixture
def legal_reviewer(workgroup):
    return _person(workgroup, Role.LEGAL_REVIEWER, "legal@riverbend.test")


@pytest.fixture
def qa_reviewer(workgroup):
    return _person(workgroup, Role.QA_REVIEWER, "qa@riverbend.test")


@pytest.fixture
def viewer(workgroup):
    return _person(workgroup, Role.VIEWER, "viewer@riverbend.test")


@pytest.fixture
def outsider(other_workgroup):
    """Coordinator of another workgroup: powerful there, nobody here."""
    return _person(other_workgroup, Role.COORDINATOR, "outsider@elsewhere.test")


@pytest.fixture
def people(coordinator, member, legal_reviewer, qa_reviewer, viewer, outsider):
    return {
        Role.COORDINATOR: coordinator,
        Role.MEMBER: member,
        Role.LEGAL_REVIEWER: legal_reviewer,
        Role.QA_REVIEWER: qa_reviewer,
        Role.VIEWER: viewer,
        "outsider": outsider,
    }


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR


# --- A real Celery worker process (tests marked redis + postgres) ---------------------


def test_database_url() -> str:
    db = settings.DATABASES["default"]  # NAME is the test database by now
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_celery_worker(*, media_root, log_path, app: str = "toolkit", queues: str = "", extra_env=None):
    """Start one `celery worker` process on the Redis broker and the test database; wait until it is ready."""
    import subprocess
    import sys
    import time
    import uuid

    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(media_root),
        "DJANGO_ENV": "test",
        **(extra_env or {}),
    }
    env.pop("PYTEST_XDIST_WORKER", None)  # REDIS_URL above is already this xdist process's own database
    name = f"test-{uuid.uuid4().hex[:8]}@%h"
    command = [sys.executable, "-m", "celery", "-A", app, "worker", "--pool=solo", "--loglevel=INFO",
               "-n", name, "--without-gossip", "--without-mingle"]
    command += ["-Q", queues or "celery,pdf"]  # the default queue and the agreement packets' queue
    log = open(log_path, "wb")  # noqa: SIM115 (closed by stop_celery_worker)
    process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    process.log_file = log
    deadline = time.monotonic() + 60
    while b" ready." not in log_path.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("Celery worker did not start:\n" + log_path.read_text(errors="replace")[-3000:])
        time.sleep(0.2)
    return process


def stop_celery_worker(process) -> None:
    import subprocess

    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    process.log_file.close()


def require_worker_services() -> None:
    if _missing("redis") or _missing("postgres"):
        reason = _missing("redis") or _missing("postgres")
        if REQUIRE_SERVICES:
            pytest.fail(f"CI requires this service: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """Start `celery worker` as a separate process on the Redis broker and the test database.

    Tests using it must be ``django_db(transaction=True)``: the worker only sees
    committed rows. It shares MEDIA_ROOT with the test so results can be read back.
    """
    from toolkit.celery import app

    require_worker_services()
    media_root = tmp_path_factory.mktemp("worker-media")
    log_path = tmp_path_factory.mktemp("worker-log") / "worker.log"
    app.control.purge()  # leftovers from an interrupted run would run against this database
    process = start_celery_worker(media_root=media_root, log_path=log_path)
    try:
        yield {"media_root": media_root, "log_path": log_path}
    finally:
        stop_celery_worker(process)


@pytest.fixture
def worker_media(celery_worker, settings):
    """Point this test's MEDIA_ROOT at the worker's, to read what it wrote."""
    settings.MEDIA_ROOT = celery_worker["media_root"]
    return celery_worker["media_root"]


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.25):
    """Poll until predicate() is truthy; returns its value or fails the test with a clear message."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"Gave up waiting after {timeout} s")


# --- Playwright driving Debian's Chromium (tests marked browser) ---------------------


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make between browser steps are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ["CHROMIUM_PATH"],
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    browser_page = context.new_page()
    browser_page.console_errors = []
    browser_page.on("console", lambda m: browser_page.console_errors.append(m.text) if m.type == "error" else None)
    yield browser_page
    context.close()


