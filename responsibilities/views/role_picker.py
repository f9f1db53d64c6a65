"""The matrix's "show a role as a column" picker: matching roles, a page at a time,
instead of a select with every role of the organisation (929 on the O*NET one).

With htmx the header-style combobox asks for matches as one types and gets a listbox;
without JavaScript the same address is a small page with a search form and links.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from orgmap import permissions
from orgmap.models import Department, Project, Role

PICKER_LIMIT = 20


def _matrix_for(request: HttpRequest) -> tuple[str, str, dict[str, str]]:
    """(matrix address, its title, the query it keeps) for the matrix the picker serves,
    after checking that the user may add columns there (i.e. may edit it)."""
    user = request.user
    if code := request.GET.get("project", ""):
        project = get_object_or_404(Project, code__iexact=code)
        if not permissions.can_manage_project(user, project):
            raise PermissionDenied(
                _("You may not edit the matrix of “%(name)s”.") % {"name": project.name}
            )
        return reverse("project-matrix", args=[project.code]), project.name, {}
    department = get_object_or_404(Department, code__iexact=request.GET.get("department", ""))
    if not permissions.can_manage_department(user, department):
        raise PermissionDenied(
            _("You may not edit the matrix of “%(name)s”.") % {"name": department.name}
        )
    kept = {}
    if project_filter := request.GET.get("project_filter", ""):
        kept["project"] = project_filter
    return reverse("department-matrix", args=[department.code]), department.name, kept


@require_GET
def role_picker(request: HttpRequest) -> HttpResponse:
    base_url, matrix_title, kept = _matrix_for(request)
    query = request.GET.get("q", "").strip()[:100]
    shown = [int(value) for value in request.GET.getlist("add_role") if value.isdigit()][:50]
    roles: list[Role] = []
    total = 0
    if query:
        matches = (
            Role.objects.filter(active=True)
            .filter(
                Q(title__icontains=query)
                | Q(department__name__icontains=query)
                | Q(department__code__iexact=query)
            )
            .exclude(pk__in=shown)
            .select_related("department")
            .order_by("department__name", "title")
        )
        # One query for the page and one for the count: a short list, however many roles.
        roles = list(matches[:PICKER_LIMIT])
        total = len(roles) if len(roles) < PICKER_LIMIT else matches.count()
    options = [
        {
            "role": role,
            "url": base_url
            + "?"
            + urlencode([*kept.items(), *(("add_role", pk) for pk in [*shown, role.pk])])
            + f"#role-{role.pk}",
        }
        for role in roles
    ]
    context = {
        "query": query,
        "options": options,
        "total": total,
        "more": total - len(options),
        "base_url": base_url,
        "matrix_title": matrix_title,
        "scope_fields": {
            key: value
            for key, value in request.GET.items()
            if key in ("department", "project", "project_filter")
        },
        "shown": shown,
    }
    if request.htmx:
        return render(request, "responsibilities/role_picker.html#options", context)
    return render(request, "responsibilities/role_picker.html", context)
