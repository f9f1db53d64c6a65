"""Team charters of departments and projects."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from orgmap.http import bound_data, form_response, saved_redirect
from orgmap.models import Department, Project

from .. import lookups, services
from ..forms import CharterForm
from ..models import Charter


def _charter_page(
    request: HttpRequest, *, department: Department | None = None, project: Project | None = None
) -> HttpResponse:
    owner = department or project
    existing = Charter.objects.filter(department=department, project=project).first()
    initial = {}
    if existing is not None:
        initial = {
            "purpose": existing.purpose,
            "values": existing.values,
            "working_agreements": existing.working_agreements,
        }
    form = CharterForm(bound_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.charter_save(
                department=department, project=project, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Charter of %(name)s saved.") % {"name": owner})
            return saved_redirect(request, owner.get_absolute_url())
    return form_response(
        request,
        "routines/charter_form.html",
        {"form": form, "owner": owner, "department": department, "project": project},
    )


@require_http_methods(["GET", "POST"])
def department_charter(request: HttpRequest, code: str) -> HttpResponse:
    department = lookups.get_department_for_charter(request.user, code)
    return _charter_page(request, department=department)


@require_http_methods(["GET", "POST"])
def project_charter(request: HttpRequest, code: str) -> HttpResponse:
    project = lookups.get_project_for_charter(request.user, code)
    return _charter_page(request, project=project)
