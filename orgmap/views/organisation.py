from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from .. import panels, permissions, selectors, services
from ..api import token_views
from ..forms import DepartmentForm, ProfileForm, RoleForm, RoleHolderEndForm, RoleHolderForm
from ..health import SCOPES as HEALTH_SCOPES
from ..health import health_report
from ..http import bound_data, form_response, saved_redirect
from ..models import Department, Role, RoleHolder


@require_GET
def org_overview(request: HttpRequest) -> HttpResponse:
    tree = selectors.department_tree()
    return render(
        request,
        "orgmap/overview.html",
        {
            "nodes": selectors.flatten_tree(tree),
            "can_create_department": permissions.is_org_admin(request.user),
        },
    )


@require_GET
def department_detail(request: HttpRequest, code: str) -> HttpResponse:
    department = get_object_or_404(
        Department.objects.select_related("head", "parent"), code__iexact=code
    )
    return render_department(request, department)


def render_department(
    request: HttpRequest, department: Department, variant: panels.PageVariant | None = None
) -> HttpResponse:
    """The department page: live, or a `variant` of it (a draft's)."""
    # In a variant the page shows, it does not edit: its edits are the variant's own.
    can_manage = variant is None and permissions.can_manage_department(request.user, department)
    parents = selectors.department_parent_map()  # for the breadcrumbs and the editors
    context = {
        "department": department,
        "breadcrumbs": selectors.department_breadcrumbs(department, parents),
        "roles": selectors.department_roles(department),
        "children": selectors.department_children(department),
        "can_manage": can_manage,
        "editors": permissions.department_editors(department, parents),
        "can_manage_access": variant is None and permissions.can_manage_access(request.user),
        "panels": panels.page_panels("department", request, department, variant),
        "variant": variant,
    }
    if variant is not None:
        context |= variant.context
    return render(request, "orgmap/department_detail.html", context)


@require_http_methods(["GET", "POST"])
def department_create(request: HttpRequest) -> HttpResponse:
    parent = None
    parent_code = request.GET.get("parent") or request.POST.get("parent_code")
    if parent_code:
        parent = get_object_or_404(Department, code__iexact=parent_code)
    if not (
        permissions.is_org_admin(request.user) or permissions.managed_department_ids(request.user)
    ):
        raise PermissionDenied(_("You may not create departments."))
    if parent is not None and not permissions.can_create_department(request.user, parent):
        raise PermissionDenied(
            _("You may not create departments under %(name)s.") % {"name": parent.name}
        )
    form = DepartmentForm(bound_data(request), user=request.user, initial={"parent": parent})
    if request.method == "POST" and form.is_valid():
        department = form.save()
        messages.success(request, _("Department “%(name)s” created.") % {"name": department.name})
        return saved_redirect(request, department.get_absolute_url())
    return form_response(
        request, "orgmap/department_form.html", {"form": form, "department": None, "parent": parent}
    )


@require_http_methods(["GET", "POST"])
def department_edit(request: HttpRequest, code: str) -> HttpResponse:
    department = permissions.get_department_for_manage(request.user, code)
    form = DepartmentForm(bound_data(request), instance=department, user=request.user)
    if request.method == "POST" and form.is_valid():
        department = form.save()
        messages.success(request, _("Department “%(name)s” saved.") % {"name": department.name})
        return saved_redirect(request, department.get_absolute_url())
    return form_response(
        request, "orgmap/department_form.html", {"form": form, "department": department}
    )


@require_GET
def role_detail(request: HttpRequest, pk: int) -> HttpResponse:
    role = get_object_or_404(
        Role.objects.select_related("department", "reports_to__department"), pk=pk
    )
    return render_role(request, role)


def render_role(
    request: HttpRequest,
    role: Role,
    variant: panels.PageVariant | None = None,
    *,
    holder_form: RoleHolderForm | None = None,
) -> HttpResponse:
    """The role page: live (`holder_form`: the form with its errors), or a `variant` of
    it (a draft's)."""
    current, past = selectors.role_holders(role)
    context = {
        "role": role,
        "current_holders": current,
        "past_holders": past,
        "direct_reports": list(role.direct_reports.select_related("department")),
        "can_edit": variant is None and permissions.can_edit_role(request.user, role),
        "can_edit_holders": variant is None
        and permissions.can_edit_role_holders(request.user, role),
        "holder_form": holder_form or (RoleHolderForm(role=role) if variant is None else None),
        "panels": panels.page_panels("role", request, role, variant),
        "variant": variant,
    }
    if variant is not None:
        context |= variant.context
    return render(request, "orgmap/role_detail.html", context)


@require_http_methods(["GET", "POST"])
def role_create(request: HttpRequest, code: str) -> HttpResponse:
    department = get_object_or_404(Department, code__iexact=code)
    if not (
        permissions.can_manage_department(request.user, department)
        or permissions.is_hr(request.user)
    ):
        raise PermissionDenied(_("You may not add roles to %(name)s.") % {"name": department.name})
    form = RoleForm(bound_data(request), user=request.user, initial={"department": department})
    if request.method == "POST" and form.is_valid():
        role = form.save()
        messages.success(request, _("Role “%(title)s” created.") % {"title": role.title})
        return saved_redirect(request, role.department.get_absolute_url())
    return form_response(
        request, "orgmap/role_form.html", {"form": form, "role": None, "department": department}
    )


@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    role = permissions.get_role_for_edit(request.user, pk)
    form = RoleForm(bound_data(request), instance=role, user=request.user)
    if request.method == "POST" and form.is_valid():
        role = form.save()
        messages.success(request, _("Role “%(title)s” saved.") % {"title": role.title})
        return saved_redirect(request, role.get_absolute_url())
    return form_response(
        request,
        "orgmap/role_form.html",
        {"form": form, "role": role, "department": role.department},
    )


def _holders_response(
    request: HttpRequest, role: Role, holder_form: RoleHolderForm
) -> HttpResponse:
    current, past = selectors.role_holders(role)
    context = {
        "role": role,
        "current_holders": current,
        "past_holders": past,
        "can_edit_holders": True,
        "holder_form": holder_form,
    }
    if request.htmx:
        return render(request, "orgmap/role_detail.html#holders", context)
    return redirect(role.get_absolute_url())


@require_POST
def role_holder_add(request: HttpRequest, pk: int) -> HttpResponse:
    role = permissions.get_role_for_holder_edit(request.user, pk)
    form = RoleHolderForm(request.POST, role=role)
    if form.is_valid():
        services.role_holder_add(
            role=role, person=form.cleaned_data["person"], since=form.cleaned_data["since"]
        )
        messages.success(
            request,
            _("%(name)s now holds this role.") % {"name": form.cleaned_data["person"].profile.name},
        )
        return _holders_response(request, role, RoleHolderForm(role=role))
    if request.htmx:
        return _holders_response(request, role, form)
    return render_role(request, role, holder_form=form)


@require_http_methods(["GET", "POST"])
def role_holder_end(request: HttpRequest, pk: int) -> HttpResponse:
    holding = get_object_or_404(
        RoleHolder.objects.select_related("role__department", "person__profile"), pk=pk
    )
    role = permissions.get_role_for_holder_edit(request.user, holding.role_id)
    form = RoleHolderEndForm(bound_data(request), holding=holding)
    if request.method == "POST" and form.is_valid():
        services.role_holder_end(holding=holding, until=form.cleaned_data["until"])
        messages.success(
            request,
            _("%(name)s no longer holds this role.") % {"name": holding.person.profile.name},
        )
        return redirect(role.get_absolute_url())
    return render(
        request, "orgmap/holder_end.html", {"form": form, "holding": holding, "role": role}
    )


@require_GET
def person_detail(request: HttpRequest, username: str) -> HttpResponse:
    person = get_object_or_404(
        get_user_model().objects.select_related("profile"), username=username
    )
    holdings = list(
        person.role_holdings.current().select_related("role__department").order_by("role__title")
    )
    return render(request, "orgmap/person_detail.html", {"person": person, "holdings": holdings})


@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(bound_data(request), instance=request.user.profile)
    if request.method == "POST" and form.is_valid():
        profile = form.save()
        messages.success(request, _("Your profile was saved."))
        response = redirect("profile")
        if profile.language:
            translation.activate(profile.language)
            response.set_cookie(
                "django_language", profile.language, samesite="Lax", secure=request.is_secure()
            )
        else:
            response.delete_cookie("django_language")
        return response
    return token_views.render_profile(request, {"form": form})


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """?scope=web checks only the database (the web container's health check);
    without it, the database, the broker and beat's heartbeat (for monitoring)."""
    scope = request.GET.get("scope", "all")
    if scope not in HEALTH_SCOPES:
        return JsonResponse(
            {"ok": False, "error": f"scope must be one of {', '.join(HEALTH_SCOPES)}"}, status=400
        )
    report = health_report(scope)
    return JsonResponse(report, status=200 if report["ok"] else 503)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403 page; for htmx requests a readable message shown in place of the flash area."""
    message = (
        str(exception)
        if exception and str(exception)
        else _("You do not have permission to do this.")
    )
    if getattr(request, "htmx", False):
        response = render(request, "403.html#denied", {"message": message}, status=403)
        return reswap(retarget(response, "#flash"), "innerHTML")
    return render(request, "403.html", {"message": message}, status=403)
