"""Every API error as JSON: {"code": ..., "message": ..., "details": ...}.

`code` is stable (clients branch on it); `message` is for people, in the request's
language; `details` carries per-field problems or what a conflict found."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler


class ApiError(exceptions.APIException):
    """An error with its own code and optional details (e.g. 409 for a stale version)."""

    def __init__(self, *, status_code: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        self.details = details


def invalid(details: dict[str, Any], message: str | None = None) -> exceptions.ValidationError:
    """A 400 for bad input, with the problems by field."""
    error = exceptions.ValidationError(details)
    error.summary = message
    return error


def _django_validation_details(error: DjangoValidationError) -> dict[str, Any]:
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def api_exception_handler(exc: Exception, context: dict) -> Any:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_validation_details(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = ApiError(
            status_code=413,
            code="too_large",
            message=_("The body is larger than %(size)s bytes; send it in parts.")
            % {"size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
        )
    response = exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's 500 and the error log
    body: dict[str, Any]
    if isinstance(exc, ApiError):
        body = {"code": exc.error_code, "message": str(exc.detail)}
        if exc.details is not None:
            body["details"] = exc.details
    elif isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "invalid",
            "message": getattr(exc, "summary", None)
            or _("The request is not valid; see the details."),
            "details": exc.detail
            if isinstance(exc.detail, dict)
            else {"non_field_errors": exc.detail},
        }
    else:
        codes = exc.get_codes()
        body = {
            "code": codes if isinstance(codes, str) else exc.default_code,
            "message": str(exc.detail),
        }
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            body["details"] = {"retry_after": int(exc.wait + 0.999)}
    if response.status_code == status.HTTP_400_BAD_REQUEST and body["code"] == "parse_error":
        body["message"] = _("The body is not valid JSON.")
    response.data = body
    return response
