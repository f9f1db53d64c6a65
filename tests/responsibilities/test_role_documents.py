"""Role descriptions: the page, PDF and DOCX documents, and bulk exports."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from orgmap.models import Department, Role
from responsibilities.exports_bulk import export_job_create, export_jobs_purge
from responsibilities.models import ExportJob
from responsibilities.pdf import PdfRenderTimeout, make_url_fetcher
from responsibilities.role_documents import render_pdf, role_description

# These tests read the demo organisation (names, roles and grants); see docs/decisions.md.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org")]


@pytest.fixture
def head_of_sales(demo_duties):
    return Role.objects.get(title="Head of Sales")


def test_description_groups_duties_and_finds_partner_departments(head_of_sales):
    description = role_description(head_of_sales)
    groups = {group.key: [a.duty.title for a in group.assignments] for group in description.groups}
    assert "Maintain the sales forecast" in groups["A"]
    assert "Review department budgets" in groups["C"]
    assert "Brief Sales on new products" in groups["I"]
    partners = {partner.department.code: partner.reasons for partner in description.partners}
    assert "consulted on" in partners["FIN"]
    assert "informed of" in partners["RND"]
    assert "SALES" not in partners  # its own department is not a partner


def test_role_page_shows_the_description(member, client_for, head_of_sales):
    response = client_for(member).get(reverse("role-detail", args=[head_of_sales.pk]))
    assert response.status_code == 200
    assert "Maintain the sales forecast" in response.text
    assert "Works with" in response.text
    assert reverse("role-pdf", args=[head_of_sales.pk]) in response.text


def test_pdf_opens_and_contains_the_duties_in_english_and_chinese(hr, client_for, head_of_sales):
    head_of_sales.purpose = "领导销售团队，负责收入计划。"
    head_of_sales.save(update_fields=["purpose"])
    response = client_for(hr).get(reverse("role-pdf", args=[head_of_sales.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="role-description-SALES-Head-of-Sales.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Maintain the sales forecast" in text
    assert "Set regional sales targets" in text
    assert "领导销售团队" in text
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("CJK" in font for font in fonts), fonts


def test_docx_opens_and_contains_the_duties(member, client_for, head_of_sales):
    response = client_for(member).get(reverse("role-docx", args=[head_of_sales.pk]))
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "Head of Sales" in text
    assert "Maintain the sales forecast (Sales)" in text
    assert "Finance: consulted on" in text


def test_pdf_fetches_nothing_but_static_files(tmp_path):
    fetcher = make_url_fetcher()
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    for url in [
        "http://127.0.0.1:9/x.png",
        "https://example.com/a.css",
        secret.as_uri(),
        "file:///etc/passwd",
    ]:
        with pytest.raises(ValueError, match="does not fetch"):
            fetcher.fetch(url)
    from django.conf import settings

    favicon = (settings.BASE_DIR / "static" / "favicon.svg").as_uri()
    assert fetcher.fetch(favicon).status in (None, 200)


def test_pdf_with_an_external_image_still_renders_without_fetching_it():
    pdf = render_pdf('<p>Hello</p><img src="http://127.0.0.1:9/tracker.png">')
    assert pdf.startswith(b"%PDF")


def test_pdf_rendering_has_a_time_limit():
    with pytest.raises(PdfRenderTimeout, match="longer than"):
        render_pdf("<p>" + "slow " * 200000 + "</p>", timeout=0.05)


def test_bulk_export_builds_a_zip_of_the_department(
    sales_manager, client_for, demo_duties, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(sales_manager)
    sales = Department.objects.get(code="SALES")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("bulk-export"), {"department": sales.pk, "format": "docx"})
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("export-job", args=[job.pk])
    assert (job.status, job.done, job.total) == ("done", 6, 6)  # Sales and its two teams
    progress = client.get(reverse("export-job", args=[job.pk]), headers={"HX-Request": "true"})
    assert "Download the zip (6 roles)" in progress.text and "every 1s" not in progress.text
    download = client.get(reverse("export-download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = archive.namelist()
    assert (
        len(names) == 6
        and "SALES-N/role-description-SALES-N-North-Sales-Representative.docx" in names
    )


def test_a_running_export_page_polls(sales_manager, client_for, demo_duties):
    job = ExportJob.objects.create(
        requested_by=sales_manager,
        format="pdf",
        status="running",
        total=10,
        done=4,
        expires_at=timezone.now() + datetime.timedelta(hours=24),
    )
    response = client_for(sales_manager).get(
        reverse("export-job", args=[job.pk]), headers={"HX-Request": "true"}
    )
    assert 'hx-trigger="every 1s"' in response.text and 'value="40"' in response.text


def test_manager_may_export_only_own_departments(sales_manager, client_for, demo_duties):
    production = Department.objects.get(code="PROD")
    response = client_for(sales_manager).post(
        reverse("bulk-export"), {"department": production.pk, "format": "pdf"}
    )
    assert response.status_code == 200 and "Select a valid choice" in response.text
    response = client_for(sales_manager).post(
        reverse("bulk-export"), {"department": "", "format": "pdf"}
    )
    assert "This field is required." in response.text
    assert not ExportJob.objects.exists()


def test_member_may_not_bulk_export(member, client_for, demo_duties):
    assert client_for(member).post(reverse("bulk-export"), {"format": "pdf"}).status_code == 403


def test_download_expires_after_a_day(
    hr, client_for, demo_duties, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(by=hr, department=Department.objects.get(code="CS"), fmt="pdf")
    job.refresh_from_db()
    assert job.status == "done" and job.file_name == f"exports/{job.pk}.zip"
    assert (tmp_path / "exports" / f"{job.pk}.zip").exists()
    client = client_for(hr)
    assert client.get(reverse("export-download", args=[job.pk])).status_code == 200
    ExportJob.objects.filter(pk=job.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get(reverse("export-download", args=[job.pk]))
    assert response.status_code == 410 and "valid for a day" in response.text
    assert export_jobs_purge() == 1
    assert not default_storage.exists(job.file_name) and not ExportJob.objects.exists()


def test_someone_elses_export_is_refused(hr, member, client_for, demo_duties):
    job = ExportJob.objects.create(
        requested_by=hr, format="pdf", expires_at=timezone.now() + datetime.timedelta(hours=24)
    )
    assert client_for(member).get(reverse("export-job", args=[job.pk])).status_code == 403
    assert client_for(member).get(reverse("export-download", args=[job.pk])).status_code == 403
