"""/healthz: is the database reachable, and is the broker?"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("Health check: database unreachable", exc_info=True)
        return False


def _broker_ok() -> bool:
    import os

    from toolkit.celery import app

    if app.conf.broker_url.startswith("filesystem://"):
        # The filesystem broker "connects" to anything; what matters is that its folders are writable.
        options = app.conf.broker_transport_options
        folders = [options[k] for k in ("data_folder_in", "data_folder_out")]
        return all(os.path.isdir(f) and os.access(f, os.W_OK) for f in folders)
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.warning("Health check: broker unreachable", exc_info=True)
        return False


@never_cache
@require_safe
@transaction.non_atomic_requests  # must answer even when the database is down
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    body = {
        "status": "ok" if all(checks.values()) else "unavailable",
        "database": "ok" if checks["database"] else "unreachable",
        "broker": "ok" if checks["broker"] else "unreachable",
        "broker_transport": "redis" if settings.REDIS_URL else "filesystem",
    }
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
