"""Property-based run of the OpenAPI schema against the app itself: no input a partner can send makes it fail.

Schemathesis reads /api/schema/ through the WSGI app and generates requests for every operation (valid and
edge-case bodies, query strings and ids) sent with a valid write key; none may answer 5xx. Bounded examples
per operation keep the run short.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from partners.tests.factories import OrganizationFactory
from toolkit.tests.api_helpers import make_key
from triage.tests.transfer_factories import TransferFactory, approved_version

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 30


@contextmanager
def _keeping_the_test_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, which would end the test's
    transaction; Django's own test client turns that off in the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_the_schema_describes_every_endpoint_and_the_key(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert {"/api/v1/transfers/", "/api/v1/incidents/", "/api/v1/protocols/", "/api/v1/protocols/{protocol_id}/",
            "/api/v1/metrics/"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["apiKey"] == {
        **schema["components"]["securitySchemes"]["apiKey"], "type": "http", "scheme": "bearer"}
    post = schema["paths"]["/api/v1/transfers/"]["post"]
    assert post["requestBody"]["content"]["application/json"]["examples"]
    assert {"200", "201", "400", "401", "403", "429"} <= set(post["responses"])


def test_no_generated_request_gets_a_server_error(workgroup, coordinator, settings):
    settings.API_RATE_LIMITS = {"read": "10000/minute", "write": "10000/minute"}
    approved_version(workgroup=workgroup, actor=coordinator)
    for _ in range(2):
        TransferFactory(workgroup=workgroup)
    OrganizationFactory(workgroup=workgroup)
    _token, key = make_key(workgroup, coordinator)
    with _keeping_the_test_connection():
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    headers = {"Authorization": f"Bearer {key}"}
    failures: list[str] = []
    statuses: set[int] = set()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 6

    for operation in operations:
        @hypothesis_settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case) -> None:
            response = case.call(headers=headers)
            statuses.add(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} {case.body!r} → "
                                f"{response.status_code}")

        with _keeping_the_test_connection():
            run()
    assert failures == []
    assert {200, 400} <= statuses  # the key worked, and the refusals were the API's own
