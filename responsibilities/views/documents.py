from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from orgmap import permissions
from orgmap.http import bound_data
from orgmap.models import Department, Role

from ..exports_bulk import export_job_create
from ..models import ExportJob
from ..role_documents import PdfRenderError, render_document


@require_GET
def role_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    role = get_object_or_404(
        Role.objects.select_related("department", "reports_to__department"), pk=pk
    )
    try:
        # ?record=1: the acceptance record too, for those who may read it.
        with_record = request.GET.get("record") == "1"
        if with_record and not permissions.can_view_acceptance_record(request.user, role):
            raise PermissionDenied(_("You may not see this role's acceptance record."))
        content, content_type, filename = render_document(role, fmt, with_record=with_record)
    except PdfRenderError:
        return render(
            request,
            "responsibilities/export_failed.html",
            {
                "message": _(
                    "The PDF could not be made in time. Please try again, or download the DOCX."
                )
            },
            status=503,
        )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class BulkExportForm(forms.Form):
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=gettext_lazy("The whole organisation"),
    )
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=ExportJob.Format.choices)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        everything = permissions.is_org_admin(user) or permissions.is_hr(user)
        departments = Department.objects.order_by("name")
        if not everything:
            departments = departments.filter(pk__in=permissions.managed_department_ids(user))
            self.fields["department"].required = True
            self.fields["department"].empty_label = None
        self.fields["department"].queryset = departments


@require_http_methods(["GET", "POST"])
def bulk_export(request: HttpRequest) -> HttpResponse:
    if not permissions.can_bulk_export(request.user):
        raise PermissionDenied(
            _("Bulk exports are for HR, administrators and department managers.")
        )
    form = BulkExportForm(bound_data(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        job = export_job_create(
            by=request.user,
            department=form.cleaned_data["department"],
            fmt=form.cleaned_data["format"],
        )
        return redirect("export-job", pk=job.pk)
    jobs = ExportJob.objects.filter(
        requested_by=request.user, expires_at__gt=timezone.now()
    ).select_related("department")[:20]
    return render(request, "responsibilities/bulk_export.html", {"form": form, "jobs": jobs})


def _get_job_for_user(user, pk) -> ExportJob:
    job = get_object_or_404(ExportJob.objects.select_related("department"), pk=pk)
    if job.requested_by_id != user.pk and not permissions.is_org_admin(user):
        raise PermissionDenied(_("This export belongs to someone else."))
    return job


@require_GET
def export_job(request: HttpRequest, pk) -> HttpResponse:
    job = _get_job_for_user(request.user, pk)
    context = {"job": job, "expired": job.expires_at <= timezone.now()}
    if request.htmx:
        return render(request, "responsibilities/export_job.html#progress", context)
    return render(request, "responsibilities/export_job.html", context)


@require_GET
def export_download(request: HttpRequest, pk) -> HttpResponse:
    job = _get_job_for_user(request.user, pk)
    if (
        job.expires_at <= timezone.now()
        or job.status != ExportJob.Status.DONE
        or not job.file_name
        or not default_storage.exists(job.file_name)
    ):
        return render(
            request,
            "responsibilities/export_failed.html",
            {
                "message": _(
                    "This download is no longer available (links stay valid for a day). Start a new export."
                )
            },
            status=410,
        )
    return FileResponse(
        default_storage.open(job.file_name, "rb"),
        as_attachment=True,
        filename=f"role-descriptions-{job.pk}.zip",
    )
