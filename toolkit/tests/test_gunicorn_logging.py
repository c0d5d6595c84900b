"""The access log never shows a one-time link's token."""

from __future__ import annotations

import datetime
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from toolkit.gunicorn_logging import RedactingLogger, redact


def test_tokens_in_questionnaire_paths_are_replaced():
    assert redact("GET /respond/riverbend/eyJyIjo:1tX:abc/ HTTP/1.1") == "GET /respond/riverbend/…/ HTTP/1.1"
    assert redact("GET /counsel/riverbend/abc:1x:y/ HTTP/1.1") == "GET /counsel/riverbend/…/ HTTP/1.1"
    assert redact("POST /report/riverbend/Zk3-intake_token/ HTTP/1.1") == "POST /report/riverbend/…/ HTTP/1.1"
    assert redact("/w/riverbend/readiness/") == "/w/riverbend/readiness/"


def test_the_access_log_line_is_redacted():
    logger = RedactingLogger(Config())
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/respond/riverbend/secret-token/", "SERVER_PROTOCOL": "HTTP/1.1",
               "PATH_INFO": "/respond/riverbend/secret-token/", "HTTP_REFERER": "https://x/respond/riverbend/t2/"}
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(resp, SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])]), environ,
                         datetime.timedelta(seconds=0))
    assert "secret-token" not in atoms["r"] and "secret-token" not in atoms["U"]
    assert "t2" not in atoms["f"] and "t2" not in atoms["{referer}i"]


def test_gunicorn_uses_the_redacting_logger():
    conf = runpy.run_path(str(Path(__file__).resolve().parents[1] / "gunicorn.conf.py"))
    assert conf["logger_class"] == "toolkit.gunicorn_logging.RedactingLogger"


def test_django_log_records_of_link_pages_are_redacted():
    import logging

    from toolkit.gunicorn_logging import RedactTokens

    record = logging.LogRecord("django.security.csrf", logging.WARNING, __file__, 1,
                               "Forbidden (%s): %s", ("CSRF token missing.", "/counsel/riverbend/abc:1x:sig/"), None)
    RedactTokens().filter(record)
    assert record.getMessage() == "Forbidden (CSRF token missing.): /counsel/riverbend/…/"
    served = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"GET /respond/riverbend/tok/ HTTP/1.1" 200',
                               None, None)
    RedactTokens().filter(served)
    assert served.getMessage() == '"GET /respond/riverbend/…/ HTTP/1.1" 200'


@pytest.mark.parametrize(("path", "logged"), [
    ("/respond/riverbend/q-tok3n/", "/respond/riverbend/…/"),
    ("/report/riverbend/intake-tok3n/", "/report/riverbend/…/"),
    ("/counsel/riverbend/abc:1x:sig/", "/counsel/riverbend/…/"),
    ("/invitations/inv-tok3n/", "/invitations/…/"),
    ("/accounts/reset/MQ/set-tok3n/", "/accounts/reset/MQ/…/"),
    ("/accounts/reset/MQ/set-password/", "/accounts/reset/MQ/set-password/"),  # no token in this one
    ("/w/riverbend/partners/", "/w/riverbend/partners/"),
])
def test_the_development_servers_request_log_shows_no_token(path, logged):
    import logging

    from django.core.servers.basehttp import WSGIRequestHandler

    records: list[logging.LogRecord] = []
    capture = logging.Handler()
    capture.emit = records.append
    logger = logging.getLogger("django.server")  # configured by settings.LOGGING, as under `manage.py runserver`
    logger.addHandler(capture)
    try:
        handler = WSGIRequestHandler.__new__(WSGIRequestHandler)  # what runserver logs, without a socket
        handler.request, handler.requestline = None, f"GET {path} HTTP/1.1"
        handler.log_message('"%s" %s %s', handler.requestline, "200", "512")
    finally:
        logger.removeHandler(capture)
    assert [record.getMessage() for record in records] == [f'"GET {logged} HTTP/1.1" 200 512']
