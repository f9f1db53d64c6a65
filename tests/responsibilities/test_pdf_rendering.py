"""PDFs render in the calling process: in a Celery prefork child (a daemonic process,
which may not fork), with a time limit, and with fonts loaded once per process."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from orgmap.models import Department, Role
from responsibilities import pdf, role_documents
from responsibilities.exports_bulk import export_job_create
from responsibilities.models import ExportJob

ROOT = Path(__file__).resolve().parents[2]


DAEMONIC_RENDER = """
import multiprocessing, os
import django
django.setup()
from responsibilities import pdf

def render(queue):
    try:
        queue.put(pdf.render_pdf("<p>Hello 你好</p>")[:5])
    except Exception as error:
        queue.put(f"{error.__class__.__name__}: {error}")

if __name__ == "__main__":
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=render, args=(queue,), daemon=True)
    child.start()
    print(queue.get(timeout=120))
    child.join(10)
"""


def test_a_daemonic_process_renders_a_pdf(tmp_path):
    """Celery's prefork pool runs tasks in daemonic processes; forking a renderer from
    one failed with "daemonic processes are not allowed to have children". (In a fresh
    interpreter: forking the test process, which has threads, could deadlock.)"""
    script = tmp_path / "daemonic_render.py"
    script.write_text(DAEMONIC_RENDER)
    env = {**os.environ, "DEBUG": "1", "ORGMAP_DATA_DIR": str(tmp_path)}
    env.setdefault("DJANGO_SETTINGS_MODULE", "orgmap.settings")
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.stdout.strip() == "b'%PDF-'", result.stdout + result.stderr[-2000:]


def test_fonts_and_fetcher_are_made_once_per_thread():
    first = pdf._tools()
    pdf.render_pdf("<p>one</p>")
    pdf.render_pdf("<p>two</p>")
    assert pdf._tools() is first


def test_the_time_limit_leaves_no_timer_behind():
    import signal

    with pytest.raises(pdf.PdfRenderTimeout):
        pdf.render_pdf("<p>" + "slow " * 200000 + "</p>", timeout=0.05)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)
    assert pdf.render_pdf("<p>after</p>").startswith(b"%PDF")


@pytest.mark.django_db
def test_single_pdf_download_that_takes_too_long_gets_the_friendly_page(
    hr, client_for, demo_duties, monkeypatch
):
    def too_slow(html, timeout=None):
        raise pdf.PdfRenderTimeout("PDF rendering took longer than 60 seconds")

    monkeypatch.setattr(role_documents, "render_pdf", too_slow)
    role = Role.objects.get(title="Head of Sales")
    response = client_for(hr).get(reverse("role-pdf", args=[role.pk]))
    assert response.status_code == 503
    assert "could not be made in time" in response.text


@pytest.mark.django_db
def test_a_slow_pdf_costs_its_own_file_and_the_export_goes_on(
    hr, client_for, demo_duties, django_capture_on_commit_callbacks, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    real_render = role_documents.render_pdf

    def slow_for_the_head_of_sales(html, timeout=None):
        if "<h1>Head of Sales</h1>" in html:
            raise pdf.PdfRenderTimeout("PDF rendering took longer than 60 seconds")
        return real_render(html, timeout=timeout)

    monkeypatch.setattr(role_documents, "render_pdf", slow_for_the_head_of_sales)
    sales = Department.objects.get(code="SALES")
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(by=hr, department=sales, fmt="both")
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 6, 6)
    assert "SALES: Head of Sales" in job.error and "not in the zip" in job.error
    page = client_for(hr).get(reverse("export-job", args=[job.pk]))
    assert "SALES: Head of Sales" in page.text and "Download the zip (6 roles)" in page.text
    download = client_for(hr).get(reverse("export-download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = archive.namelist()
    assert "SALES/role-description-SALES-Head-of-Sales.docx" in names
    assert "SALES/role-description-SALES-Head-of-Sales.pdf" not in names
    assert len([n for n in names if n.endswith(".pdf")]) == 5
    assert len([n for n in names if n.endswith(".docx")]) == 6
    assert "Head of Sales" in archive.read("PROBLEMS.txt").decode()


@pytest.mark.django_db
def test_the_export_task_time_limit_marks_the_job_failed(
    hr, demo_duties, django_capture_on_commit_callbacks, settings, tmp_path, monkeypatch
):
    from celery.exceptions import SoftTimeLimitExceeded

    settings.MEDIA_ROOT = tmp_path

    def stopped(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr("responsibilities.exports_bulk.render_document", stopped)
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(by=hr, department=Department.objects.get(code="CS"), fmt="pdf")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert "took too long" in job.error
    assert not list(tmp_path.rglob("*.zip"))
