"""Pictures of the organisation: the org chart (page, one department's branch for htmx,
SVG and PDF exports), the load heatmaps and the findings trend.

Every signed-in person may read them, as they may read the department pages, matrices
and findings they are drawn from (orgmap/permissions.py: members read everything);
anonymous requests go to the login page (LoginRequiredMiddleware). Nothing is written
here, and no picture offers an edit its reader may not make: badges lead to the matrix,
which decides per row who may edit.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from orgmap.models import Department

from ..pdf import PdfRenderError, render_pdf
from ..pictures import heatmaps, orgchart, svg, trend
from ..role_documents import PDF_FONT_FAMILY

MAX_QUERY_LENGTH = 100


def _open_codes(request: HttpRequest) -> list[str]:
    return [code[:30] for code in request.GET.getlist("open")[:50]]


@require_GET
def org_chart(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    chart = orgchart.org_chart(open_codes=_open_codes(request), query=query)
    return render(
        request,
        "responsibilities/pictures/orgchart.html",
        {"chart": chart, "query": chart.query, "kinds": orgchart.BADGE_KINDS},
    )


@require_GET
def org_chart_department(request: HttpRequest, code: str) -> HttpResponse:
    """One department's roles and sub-departments, for htmx to put under its card;
    without htmx, the chart page with that department open."""
    department = get_object_or_404(Department.objects.only("pk", "code"), code__iexact=code)
    if not request.htmx:
        url = reverse("picture-orgchart") + f"?open={department.code}#dept-{department.pk}"
        return redirect(url)
    chart = orgchart.org_chart(open_codes=[department.code])
    return render(
        request,
        "responsibilities/pictures/orgchart.html#department-body",
        {"card": chart.by_pk[department.pk], "chart": chart},
    )


def _whole_chart() -> tuple[str, float, float]:
    chart = orgchart.org_chart(open_all=True)
    return svg.chart_svg(chart, title=_("Organisation chart"))


def _filename(extension: str) -> str:
    return f"orgchart-{timezone.localdate().isoformat()}.{extension}"


@require_GET
def org_chart_svg(request: HttpRequest) -> HttpResponse:
    picture, _width, _height = _whole_chart()
    response = HttpResponse(picture, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("svg")}"'
    return response


@require_GET
def org_chart_pdf(request: HttpRequest) -> HttpResponse:
    picture, width, height = _whole_chart()
    html = svg.chart_pdf_html(picture, width=width, height=height, font_family=PDF_FONT_FAMILY)
    try:
        content = render_pdf(html)
    except PdfRenderError:
        return render(
            request,
            "responsibilities/export_failed.html",
            {
                "message": _(
                    "The PDF could not be made in time. Please try again, or download the SVG."
                )
            },
            status=503,
        )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename("pdf")}"'
    return response


@require_GET
def load_heatmaps(request: HttpRequest) -> HttpResponse:
    departments = list(Department.objects.order_by("name").only("pk", "code", "name"))
    code = request.GET.get("department", "")
    if code:
        department = next((d for d in departments if d.code.upper() == code.upper()), None)
        if department is None:
            raise Http404("No such department")
    else:
        department = departments[0] if departments else None
    return render(
        request,
        "responsibilities/pictures/heatmaps.html",
        {
            "departments": departments,
            "department": department,
            "roles": heatmaps.role_heatmap(department) if department else None,
            "pairs": heatmaps.department_pairs(),
            "letters": heatmaps.LETTER_COLUMNS,
        },
    )


@require_GET
def findings_trend(request: HttpRequest) -> HttpResponse:
    department = None
    if code := request.GET.get("department", ""):
        department = get_object_or_404(Department, code__iexact=code)
    context = {
        "trend": trend.findings_trend(department=department),
        "department": department,
        "departments": list(Department.objects.order_by("name").only("pk", "code", "name")),
    }
    if request.htmx:
        return render(request, "responsibilities/pictures/trend.html#trend", context)
    return render(request, "responsibilities/pictures/trend.html", context)
