"""What every API view shares: no login redirect (the API answers 401 itself), query
filters read strictly (bad input is a 400 with a code, never a 500), form errors as 400s."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db.models import Model, Q, QuerySet
from django.forms import BaseForm
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from orgmap.models import Department, Project

from .errors import invalid


class ApiViewMixin:
    """First in the bases of every API view: LoginRequiredMiddleware would send an
    anonymous API request to the login page; DRF authenticates it instead."""

    @classmethod
    def as_view(cls, *args, **kwargs):
        return login_not_required(super().as_view(*args, **kwargs))


def query_param(name: str, description: str, kind=OpenApiTypes.STR) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description)


def query_int(request, name: str) -> int | None:
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise invalid({name: [_("Give a whole number.")]})
    return int(value)


def query_bool(request, name: str) -> bool | None:
    value = request.query_params.get(name, "").strip().lower()
    if not value:
        return None
    if value in {"1", "true", "yes"}:
        return True
    if value in {"0", "false", "no"}:
        return False
    raise invalid({name: [_("Use 1 or 0.")]})


def query_date(request, name: str) -> datetime.date | None:
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise invalid({name: [_("Write the date as YYYY-MM-DD.")]}) from None


def by_code(model: type[Model], request, name: str) -> Any:
    """The department or project named by a query parameter's code (400 if unknown)."""
    code = request.query_params.get(name, "").strip()
    if not code:
        return None
    found = model.objects.filter(code__iexact=code).first()
    if found is None:
        raise invalid(
            {name: [_("No %(kind)s has this code.") % {"kind": model._meta.verbose_name}]}
        )
    return found


def department_param(request, name: str = "department") -> Department | None:
    return by_code(Department, request, name)


def project_param(request, name: str = "project") -> Project | None:
    return by_code(Project, request, name)


def search_filter(queryset: QuerySet, request, *fields: str) -> QuerySet:
    text = request.query_params.get("q", "").strip()[:200]
    if not text:
        return queryset
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": text})
    return queryset.filter(condition)


def form_invalid(form: BaseForm) -> Exception:
    """A UI form's errors as an API 400 (the same messages the pages show)."""
    details = {
        ("non_field_errors" if field == "__all__" else field): [str(m) for m in messages]
        for field, messages in form.errors.items()
    }
    return invalid(details)


def form_data(instance: Model | None, fields: list[str], changes: dict[str, Any]) -> dict:
    """A form's data: the instance's current values (for PATCH) overlaid with the request's."""
    data: dict[str, Any] = {}
    if instance is not None:
        for field in fields:
            value = (
                getattr(instance, f"{field}_id", None)
                if _is_relation(instance, field)
                else getattr(instance, field)
            )
            if isinstance(value, bool):
                data[field] = "on" if value else ""
            elif value is None:
                data[field] = ""
            else:
                data[field] = value
    for field, value in changes.items():
        if isinstance(value, bool):
            data[field] = "on" if value else ""
        else:
            data[field] = "" if value is None else value
    return data


def _is_relation(instance: Model, field: str) -> bool:
    return instance._meta.get_field(field).is_relation
