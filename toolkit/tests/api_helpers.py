"""Shared by the API tests: keys made through the service, and requests that send them."""

from __future__ import annotations

import json

from django.test import Client

from toolkit.models import ApiScope
from toolkit.services.api_tokens import api_token_create


def make_key(workgroup, coordinator, scope: str = ApiScope.WRITE, name: str = "County CAD export"):
    """(row, key) for a new key of ``workgroup``."""
    return api_token_create(actor=coordinator, workgroup=workgroup, name=name, scope=scope)


def call(method: str, path: str, key: str | None = None, body: dict | None = None, *, header: str | None = None,
         client: Client | None = None, **query):
    client = client or Client()
    extra = {}
    if header is not None:
        extra["HTTP_AUTHORIZATION"] = header
    elif key is not None:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    if method == "GET":
        return client.get(path, query, **extra)
    return client.generic(method, path, json.dumps(body or {}), content_type="application/json", **extra)
