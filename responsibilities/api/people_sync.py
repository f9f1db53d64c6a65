"""Bulk upsert of people from an HR system: the people import (spreadsheets/imports),
with rows as JSON. `?dry_run=1` plans without writing and returns the same report as
the import page's check; rows are numbered as in a file (the header is row 1).

Rows are keyed by email, as in the import; a row may instead (or also) carry the HR
system's `external_id`: a known one stands for its person's address, a new one is
remembered for the person of the row's address once the import is applied."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from orgmap.api.base import ApiViewMixin, query_bool
from orgmap.api.errors import invalid
from orgmap.api.models import ExternalId
from orgmap.api.permissions import CanImportPeople
from orgmap.api.serializers import PeopleReportSerializer, PeopleUpsertSerializer

from ..spreadsheets import imports
from ..spreadsheets.sheets import SheetRow, Table

COLUMNS = (*imports.PEOPLE_COLUMNS, *imports.PEOPLE_OPTIONAL_COLUMNS)


def _resolve_external_ids(rows: list[dict]) -> list[dict]:
    """Each row with its address: a known external id gives its person's (one query)."""
    wanted = {row["external_id"] for row in rows if row.get("external_id")}
    known = {
        mapping.external_id: mapping.person
        for mapping in ExternalId.objects.filter(external_id__in=wanted).select_related("person")
    }
    problems: dict[str, list[str]] = {}
    resolved = []
    for index, row in enumerate(rows):
        row = dict(row)
        external_id = row.get("external_id") or ""
        email = (row.get("email") or "").strip()
        person = known.get(external_id)
        if person is not None:
            if email and email.casefold() != person.email.casefold():
                problems[f"people[{index}].email"] = [
                    _(
                        "The external id %(id)s belongs to %(email)s; change the address in orgmap first."
                    )
                    % {"id": external_id, "email": person.email}
                ]
            row["email"] = person.email
        elif external_id and not email:
            problems[f"people[{index}].external_id"] = [
                _("Unknown external id: give the person's email too.")
            ]
        resolved.append(row)
    if problems:
        raise invalid(problems)
    return resolved


def rows_table(rows: list[dict]) -> Table:
    """The rows as the table a file with these columns would give."""
    return Table(
        header=COLUMNS,
        header_row=1,
        rows=tuple(
            SheetRow(number=index + 2, cells=tuple((row.get(c) or "").strip() for c in COLUMNS))
            for index, row in enumerate(rows)
        ),
        source="json",
    )


def plan_report(plan: imports.PeoplePlan, *, dry_run: bool) -> dict:
    """Everything the import page's report shows."""
    return {
        "dry_run": dry_run,
        "valid": plan.valid,
        "applied": plan.applied,
        "summary": plan.summary(),
        "problems": [
            {"row": p.row, "column": p.column, "field": p.field, "message": p.message}
            for p in plan.problems
        ],
        "departments_created": [{"code": d.code, "name": d.name} for d in plan.new_departments],
        "parent_changes": [
            {"department": d.name, "parent": parent.name} for d, parent in plan.parent_changes
        ],
        "roles_created": [
            {"department": r.department.name, "title": r.title} for r in plan.new_roles
        ],
        "role_changes": [{"role": r.title, "active": active} for r, active in plan.active_changes]
        + [{"role": r.title, "reports_to": m.title} for r, m in plan.manager_changes],
        "people_created": [
            {"email": e.email, "username": e.username, "name": e.name} for e in plan.new_people
        ],
        "people_renamed": [
            {"email": e.email, "name": e.name, "renamed_from": e.renamed_from}
            for e in plan.renamed_people
        ],
        "holdings_created": [
            {"email": e.email, "department": r.department.name, "role": r.title}
            for r, e in plan.new_holdings
        ],
    }


def _remember_external_ids(rows: list[dict]) -> None:
    pairs = {
        row["email"].casefold(): row["external_id"]
        for row in rows
        if row.get("external_id") and row.get("email")
    }
    if not pairs:
        return
    people = get_user_model().objects.filter(
        email__in={row["email"] for row in rows if row.get("external_id")}
    )
    taken = set(ExternalId.objects.filter(person__in=people).values_list("person_id", flat=True))
    ExternalId.objects.bulk_create(
        [
            ExternalId(person=person, external_id=pairs[person.email.casefold()])
            for person in people
            if person.pk not in taken and person.email.casefold() in pairs
        ],
        ignore_conflicts=True,
    )


class PeopleBulkView(ApiViewMixin, APIView):
    """Create and update people, departments, roles and holdings (org admins and HR,
    as the import page). Nothing is deleted; a plan with problems writes nothing."""

    permission_classes = [CanImportPeople]

    @extend_schema(
        request=PeopleUpsertSerializer,
        parameters=[
            OpenApiParameter(
                "dry_run", OpenApiTypes.BOOL, OpenApiParameter.QUERY, description="1: only check."
            )
        ],
        responses={200: PeopleReportSerializer, 400: PeopleReportSerializer},
    )
    def post(self, request):
        dry_run = bool(query_bool(request, "dry_run"))
        incoming = PeopleUpsertSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        rows = incoming.validated_data["people"]
        if len(rows) > settings.IMPORT_MAX_ROWS:
            raise invalid(
                {
                    "people": [
                        _("At most %(count)s rows at a time.") % {"count": settings.IMPORT_MAX_ROWS}
                    ]
                }
            )
        rows = _resolve_external_ids(rows)
        table = rows_table(rows)
        if dry_run:
            return Response(plan_report(imports.plan_people(table), dry_run=True))
        with transaction.atomic():
            plan = imports.people_import(table)
            if plan.applied:
                _remember_external_ids(rows)
        report = plan_report(plan, dry_run=False)
        if not plan.applied:
            return Response(
                {
                    "code": "import_refused",
                    "message": _("The rows have problems; nothing was written."),
                    "details": report,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(report)
