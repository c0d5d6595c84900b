"""Every API error has one shape: ``{"errors": {"field": ["message", ...]}, "detail": "what went wrong"}``."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

MSG_INVALID = "The request has problems: see errors."
NON_FIELD = "non_field_errors"


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DjangoValidationError):  # raised by a service: its messages are per model field
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    response = exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's 500 handling and logging
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {NON_FIELD: data}
        response.data = {"errors": errors, "detail": MSG_INVALID}
    else:
        detail = data.get("detail", "") if isinstance(data, dict) else data
        response.data = {"errors": {}, "detail": str(detail)}
    return response
