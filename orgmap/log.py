"""Production logging: one line per event, with its level, logger and the id of the
request (or Celery task) it belongs to.

- RequestIdMiddleware gives every request an id (the proxy's X-Request-ID when it sent a
  sane one, else a new one), keeps it in a context variable for the log lines written
  while the request runs, and returns it in the X-Request-ID response header.
- ContextFilter puts that id on every record (`-` outside a request or task) and drops
  the traceback of refused requests (403, 404, 400 answered from an exception): those
  are expected outcomes, logged as one warning line by Django.
- OneLineFormatter folds a record's traceback into its line (newlines written as `\\n`),
  so that a log collector sees one event per line.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


class RequestIdMiddleware:
    header = "X-Request-ID"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(self.header, "")
        request_id = incoming if _SANE_ID.fullmatch(incoming) else new_request_id()
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[self.header] = request_id
        return response


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        status = getattr(record, "status_code", None)
        if record.name.startswith("django.") and isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class OneLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\r", "").replace("\n", "\\n")


def bind_to_celery_tasks() -> None:
    """Log lines written while a Celery task runs carry the task's id."""
    from celery.signals import task_postrun, task_prerun

    tokens: dict[str, contextvars.Token] = {}

    @task_prerun.connect(weak=False)
    def _enter(task_id: str | None = None, **kwargs) -> None:
        if task_id:
            tokens[task_id] = request_id_var.set(f"task-{task_id[:8]}")

    @task_postrun.connect(weak=False)
    def _leave(task_id: str | None = None, **kwargs) -> None:
        token = tokens.pop(task_id or "", None)
        if token is not None:
            request_id_var.reset(token)
