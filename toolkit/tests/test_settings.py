"""Settings are read from the environment at import, so each case runs in a fresh interpreter."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)

# Variables the settings module reads; each case starts without any of them.
_CONTROLLED = (
    "DATABASE_URL",
    "DATABASE_CONN_MAX_AGE",
    "REDIS_URL",
    "DJANGO_ENV",
    "DJANGO_DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "TOOLKIT_VAR_DIR",
    "EMAIL_BACKEND",
    "EMAIL_USE_TLS",
    "SECURE_SSL_REDIRECT",
    "CELERY_TASK_ALWAYS_EAGER",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser fixture for Playwright, never in production
)

_PRINT_SETTINGS = """
import json, os
os.environ['DJANGO_SETTINGS_MODULE'] = 'toolkit.settings'
from django.conf import settings
db = settings.DATABASES['default']
print(json.dumps({
    'engine': db['ENGINE'],
    'name': str(db['NAME']),
    'host': db.get('HOST', ''),
    'conn_max_age': db['CONN_MAX_AGE'],
    'debug': settings.DEBUG,
    'email_backend': settings.EMAIL_BACKEND,
    'broker_url': settings.CELERY_BROKER_URL,
}))
"""


def _env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _CONTROLLED}
    env.update(overrides)
    return env


def _run(args: list[str], **overrides: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=_env(**overrides), cwd=BASE_DIR, capture_output=True, text=True, timeout=120
    )


def _settings_with(**overrides: str) -> dict:
    result = _run(["-c", _PRINT_SETTINGS], **overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _refused(**overrides: str) -> str:
    """Import the settings expecting a refusal; return what the process printed on stderr."""
    result = _run(["-c", _PRINT_SETTINGS], **overrides)
    assert result.returncode != 0, f"settings were accepted: {result.stdout}"
    assert "ImproperlyConfigured" in result.stderr
    return result.stderr


def _production_key() -> str:
    return secrets.token_urlsafe(64)  # well over 50 characters, many unique ones


def test_nothing_set_gives_sqlite_under_var():
    values = _settings_with()

    assert values["engine"] == "django.db.backends.sqlite3"
    assert Path(values["name"]).parent == BASE_DIR / "var"


def test_nothing_set_keeps_debug_off():
    assert _settings_with()["debug"] is False


def test_nothing_set_prints_e_mail_to_the_console():
    assert _settings_with()["email_backend"] == "django.core.mail.backends.console.EmailBackend"


def test_nothing_set_uses_the_filesystem_broker():
    assert _settings_with()["broker_url"].startswith("filesystem://")


def test_database_url_selects_postgresql_with_its_name_and_host():
    values = _settings_with(DATABASE_URL="postgres://u@h:5432/db")

    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "db"
    assert values["host"] == "h"


def test_production_keeps_database_connections_a_minute_unless_told_otherwise():
    production = {"DJANGO_ENV": "production", "SECRET_KEY": _production_key(), "ALLOWED_HOSTS": "example.org",
                  "SITE_URL": "https://example.org", "DATABASE_URL": "postgres://u@h:5432/db"}

    assert _settings_with(**production)["conn_max_age"] == 60
    assert _settings_with(**production, DATABASE_CONN_MAX_AGE="0")["conn_max_age"] == 0
    assert _settings_with(DATABASE_URL="postgres://u@h:5432/db")["conn_max_age"] == 0  # not production


def test_redis_url_becomes_the_celery_broker():
    values = _settings_with(REDIS_URL="redis://cache.internal:6379/3")

    assert values["broker_url"] == "redis://cache.internal:6379/3"


def test_development_turns_debug_on():
    assert _settings_with(DJANGO_ENV="development")["debug"] is True


def test_production_refuses_to_start_without_a_secret_key():
    stderr = _refused(DJANGO_ENV="production", ALLOWED_HOSTS="example.org")

    assert "SECRET_KEY" in stderr


def test_production_refuses_to_start_without_allowed_hosts():
    stderr = _refused(DJANGO_ENV="production", SECRET_KEY=_production_key(), SITE_URL="https://example.org")

    assert "ALLOWED_HOSTS" in stderr


@pytest.mark.parametrize("site_url", ["", "http://example.org"])
def test_production_refuses_to_start_without_an_https_site_url(site_url):
    stderr = _refused(DJANGO_ENV="production", SECRET_KEY=_production_key(), ALLOWED_HOSTS="example.org",
                      SITE_URL=site_url)

    assert "SITE_URL" in stderr


@pytest.mark.parametrize("raw", ["maybe", "ture", "2"])
def test_a_boolean_that_is_not_one_is_refused(raw):
    stderr = _refused(EMAIL_USE_TLS=raw)

    assert "EMAIL_USE_TLS" in stderr
    assert repr(raw) in stderr


def test_an_unknown_environment_name_is_refused():
    stderr = _refused(DJANGO_ENV="staging")

    assert "DJANGO_ENV" in stderr


def test_production_settings_pass_the_deployment_checklist():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_ENV="production",
        SECRET_KEY=_production_key(),
        ALLOWED_HOSTS="example.org",
        SITE_URL="https://example.org",
        AXES_PROXY_COUNT="1",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_checklist_asks_for_the_number_of_proxies():
    """Behind a proxy with the default 0, the per-address sign-in limit would count everyone as one address."""
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_ENV="production", SECRET_KEY=_production_key(), ALLOWED_HOSTS="example.org",
        SITE_URL="https://example.org",
    )

    assert result.returncode != 0
    assert "toolkit.W001" in result.stdout + result.stderr
