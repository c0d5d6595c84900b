"""/healthz: what a load balancer sees when the database or the broker is up or down."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import OperationalError

from toolkit.celery import app as celery_app

pytestmark = pytest.mark.django_db

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down():
    """Point Celery at a port where nothing listens, and put the real broker back afterwards."""
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = UNREACHABLE_BROKER
    yield
    celery_app.conf.broker_url = original


def test_healthz_reports_ok_when_database_and_broker_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "broker_transport": "redis" if settings.REDIS_URL else "filesystem",
    }


def test_healthz_needs_no_sign_in_and_is_never_cached(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    monkeypatch.setattr("toolkit.views.health._database_ok", lambda: False)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "unreachable"
    assert body["broker"] == "ok"


def test_the_database_check_says_no_when_the_query_raises(monkeypatch):
    from toolkit.views import health

    def refuse():
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(health.connection, "cursor", refuse)

    assert health._database_ok() is False


def test_healthz_answers_503_when_the_broker_is_unreachable(client, broker_down):
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["broker"] == "unreachable"
    assert body["database"] == "ok"


def test_healthz_answers_json_503_when_the_database_server_is_really_down():
    """A fresh process whose DATABASE_URL points where nothing listens: no 500, a JSON 503."""
    import json
    import os
    import subprocess
    import sys

    script = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code); print(r.content.decode())"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(DJANGO_SETTINGS_MODULE="toolkit.settings", DJANGO_ENV="test",
               DATABASE_URL="postgres://nobody@127.0.0.1:1/nothing")

    result = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )

    status, body = result.stdout.strip().split("\n", 1)
    assert status == "503", result.stderr[-2000:]
    assert json.loads(body)["database"] == "unreachable"


def test_healthz_answers_503_when_the_filesystem_broker_folder_is_gone(client, tmp_path):
    from toolkit.celery import app

    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.broker_url = "filesystem://"
    app.conf.broker_transport_options = {
        "data_folder_in": str(tmp_path / "missing"),
        "data_folder_out": str(tmp_path / "missing"),
    }
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url, app.conf.broker_transport_options = saved

    assert response.status_code == 503
    assert response.json()["broker"] == "unreachable"
