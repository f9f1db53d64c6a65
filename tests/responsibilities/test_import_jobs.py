"""Large imports run as Celery jobs (issue 12, item 3): the upload is answered at once
with a job and its progress; the job checks the file with the inline import's own
validation and report; the uploader confirms, and a second job applies it."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from orgmap.models import Role
from responsibilities.models import Assignment, Duty, ImportJob
from responsibilities.spreadsheets import import_jobs
from tests import factories

from . import hostile_xlsx

pytestmark = pytest.mark.django_db

RACI = "/import/raci/"
PEOPLE = "/import/people/"


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def sales(db):
    department = factories.DepartmentFactory(code="SALES", name="Sales")
    factories.RoleFactory(department=department, title="Head of Sales")
    factories.RoleFactory(department=department, title="Account Manager")
    return department


def _raci_csv(rows: int = 4, letter: str = "R") -> bytes:
    lines = ["department,duty,role,letter"]
    for number in range(rows):
        lines.append(f"SALES,Duty {number},Head of Sales,A")
        lines.append(f"SALES,Duty {number},Account Manager,{letter}")
    return ("\n".join(lines) + "\n").encode()


def _upload(client, url: str, data: bytes, name: str = "matrix.csv", **fields):
    return client.post(url, {"file": SimpleUploadedFile(name, data), **fields})


def _report(html: str) -> str:
    match = re.search(
        r'<section aria-labelledby="report-heading" id="report">.*?</section>', html, re.S
    )
    assert match, html[:2000]
    return match.group(0)


def _job_for(response) -> ImportJob:
    assert response.status_code == 302, response.content[:500]
    pk = response["Location"].rstrip("/").split("/")[-1]
    assert response["Location"] == reverse("import-job", args=[pk])
    return ImportJob.objects.get(pk=pk)


# ------------------------------------------------------------------ the must-show


def test_100001_row_xlsx_is_answered_at_once_with_a_job_then_refused_by_the_row_limit(
    admin_user, client_for, django_capture_on_commit_callbacks, tmp_path
):
    path = hostile_xlsx.many_rows(tmp_path / "rows.xlsx", 100_002)
    client = client_for(admin_user)
    # The request does not parse the file: reading it there would fail this test.
    with (
        mock.patch(
            "responsibilities.views.spreadsheets.read_table", side_effect=AssertionError("parsed")
        ),
        django_capture_on_commit_callbacks() as queued,
    ):
        response = _upload(client, RACI, path.read_bytes(), "rows.xlsx")
    job = _job_for(response)
    assert job.status == ImportJob.Status.QUEUED and job.total == 100_002
    assert default_storage.exists(job.file_name)

    page = client.get(reverse("import-job", args=[job.pk]))
    assert page.status_code == 200
    assert b"<progress" in page.content and b"Waiting for a worker" in page.content
    assert b'hx-trigger="every 1s"' in page.content  # it polls while the job runs

    for callback in queued:  # the worker's turn (Celery is eager in tests)
        callback()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED and not job.valid
    partial = client.get(reverse("import-job", args=[job.pk]), headers={"HX-Request": "true"})
    assert b"hx-trigger" not in partial.content  # done: no more polling
    assert "more than 100,000 rows" in partial.content.decode()
    assert "Nothing was written" in partial.content.decode()
    assert b'id="confirm"' not in partial.content
    assert not Duty.objects.exists() and not Assignment.objects.exists()


# ------------------------------------------------------------------ the same report


@override_settings(IMPORT_INLINE_MAX_ROWS=4)
def test_job_report_is_the_inline_report_and_confirming_applies_it(
    admin_user, sales, client_for, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    with override_settings(IMPORT_INLINE_MAX_ROWS=10_000):
        inline = _upload(client, RACI, _raci_csv(4))
    assert inline.status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        job = _job_for(_upload(client, RACI, _raci_csv(4)))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED and job.valid and job.has_changes
    assert (job.done, job.total) == (8, 10)  # rows read, of the estimate (an upper bound)
    page = client.get(reverse("import-job", args=[job.pk]))
    assert _report(page.content.decode()) == _report(inline.content.decode())
    assert b'id="confirm"' in page.content
    assert not Assignment.objects.exists()  # a check writes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import-job-apply", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.APPLIED
    assert Assignment.objects.filter(duty__department=sales).count() == 8
    assert not default_storage.exists(f"imports/{job.pk}.csv")  # the upload is gone
    page = client.get(reverse("import-job", args=[job.pk]))
    assert "Imported matrix.csv. Duties created: 4. Cells set: 8" in page.content.decode()
    assert reverse("department-matrix", args=["SALES"]) in page.content.decode()

    # A second confirmation (a double click, a replayed form) applies nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-job-apply", args=[job.pk]), follow=True)
    assert Assignment.objects.count() == 8


@override_settings(IMPORT_INLINE_MAX_ROWS=4)
def test_bad_letters_are_reported_by_the_job_and_cannot_be_applied(
    admin_user, sales, client_for, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        job = _job_for(_upload(client, RACI, _raci_csv(4, letter="Z")))
    page = client.get(reverse("import-job", args=[job.pk])).content.decode()
    assert "The file has 4 problems. Nothing was written" in page
    assert "&quot;Z&quot; is not a RACI letter" in _report(page)
    assert 'id="confirm"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import-job-apply", args=[job.pk]), follow=True)
    assert "cannot be applied" in response.content.decode()
    assert not Duty.objects.exists() and not Assignment.objects.exists()


@override_settings(IMPORT_INLINE_MAX_ROWS=4)
def test_a_broken_workbook_is_reported_by_the_job(
    admin_user, sales, client_for, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    data = b"PK\x03\x04" + b"not a zip at all" * 10
    response = _upload(client, RACI, data, "broken.xlsx")
    # Not even a zip: refused in the request, before any job, with the file's problem.
    assert response.status_code == 200
    assert "not a readable Excel workbook" in response.content.decode()
    assert not ImportJob.objects.exists()


@override_settings(IMPORT_INLINE_MAX_ROWS=2)
def test_the_organisation_changing_before_the_apply_writes_nothing(
    admin_user, sales, client_for, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        job = _job_for(_upload(client, RACI, _raci_csv(2)))
    Role.objects.filter(title="Account Manager").delete()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-job-apply", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED and not job.valid
    page = client.get(reverse("import-job", args=[job.pk])).content.decode()
    assert "The organisation changed since the check" in page
    assert not Assignment.objects.exists() and not Duty.objects.exists()


@override_settings(IMPORT_INLINE_MAX_ROWS=2)
def test_people_import_runs_as_a_job_for_hr(hr, client_for, django_capture_on_commit_callbacks):
    client = client_for(hr)
    data = (
        b"email,name,department,role\n"
        b"ann@example.com,Ann,Finance,Controller\n"
        b"bob@example.com,Bob,Finance,Clerk\n"
        b"cy@example.com,Cy,Finance,Clerk\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = _job_for(_upload(client, PEOPLE, data, "people.csv"))
    job.refresh_from_db()
    assert job.kind == ImportJob.Kind.PEOPLE and job.valid
    assert "People to create" in client.get(reverse("import-job", args=[job.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-job-apply", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.APPLIED
    assert Role.objects.filter(department__name="Finance").count() == 2
    page = client.get(reverse("import-job", args=[job.pk])).content.decode()
    assert "people 3" in page


# ------------------------------------------------------------------ who may


@override_settings(IMPORT_INLINE_MAX_ROWS=2)
@pytest.mark.parametrize("other", ["admin_user", "hr", "member", "sales_manager"])
def test_only_the_uploader_sees_or_applies_an_import_job(
    request, other, sales, client_for, django_capture_on_commit_callbacks
):
    uploader = factories.UserFactory(username="uploader")
    factories.grant_manage(uploader, sales)
    with django_capture_on_commit_callbacks(execute=True):
        job = _job_for(_upload(client_for(uploader), RACI, _raci_csv(2)))
    intruder = client_for(request.getfixturevalue(other))
    assert intruder.get(reverse("import-job", args=[job.pk])).status_code == 403
    assert intruder.post(reverse("import-job-apply", args=[job.pk])).status_code == 403
    anonymous = client_for(None).get(reverse("import-job", args=[job.pk]))
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert not Assignment.objects.exists()


@override_settings(IMPORT_INLINE_MAX_ROWS=2)
def test_a_manager_who_lost_the_department_cannot_apply(
    sales, client_for, django_capture_on_commit_callbacks
):
    uploader = factories.UserFactory(username="uploader")
    factories.grant_manage(uploader, sales)
    client = client_for(uploader)
    with django_capture_on_commit_callbacks(execute=True):
        job = _job_for(_upload(client, RACI, _raci_csv(2), department="SALES"))
    from guardian.shortcuts import remove_perm

    remove_perm("manage_department", uploader, sales)
    client = client_for(type(uploader).objects.get(pk=uploader.pk))  # no cached id sets
    assert client.post(reverse("import-job-apply", args=[job.pk])).status_code == 403
    assert not Assignment.objects.exists()


def test_import_job_page_refuses_wrong_methods(admin_user, client_for):
    client = client_for(admin_user)
    job = ImportJob.objects.create(
        kind="raci", requested_by=admin_user, expires_at="2999-01-01T00:00:00Z"
    )
    assert client.post(reverse("import-job", args=[job.pk])).status_code == 405
    assert client.get(reverse("import-job-apply", args=[job.pk])).status_code == 405


def test_expired_import_jobs_are_purged_with_their_uploads(admin_user):
    job = import_jobs.import_job_create(
        by=admin_user, kind="raci", data=b"a,b\n", filename="x.csv", rows=1
    )
    ImportJob.objects.filter(pk=job.pk).update(expires_at="2000-01-01T00:00:00Z")
    assert default_storage.exists(job.file_name)
    assert import_jobs.import_jobs_purge() == 1
    assert not default_storage.exists(job.file_name) and not ImportJob.objects.exists()


@pytest.mark.parametrize("name", ["huge cell", "3 million rows"])
def test_hostile_workbooks_are_refused_in_the_upload_without_a_job_or_a_write(
    name, admin_user, client_for, tmp_path
):
    path = (
        hostile_xlsx.huge_cell(tmp_path / "huge.xlsx")
        if name == "huge cell"
        else hostile_xlsx.tiny_rows(tmp_path / "tiny.xlsx", 3_000_000)
    )
    response = _upload(client_for(admin_user), RACI, path.read_bytes(), path.name)
    assert response.status_code == 200
    assert "The workbook unpacks to" in _report(response.content.decode())
    assert not ImportJob.objects.exists()
    assert not Duty.objects.exists() and not Assignment.objects.exists()


def _wide_xlsx(rows: int, roles: list[str], *, dimension: str | None = None) -> bytes:
    """A wide workbook written by the exports' writer; `dimension` overrides what the
    sheet claims its extent is."""
    import io
    import zipfile

    from responsibilities.spreadsheets import xlsx_writer

    book = xlsx_writer.Workbook({"R": "FF000000", "A": "FF000000"})
    sheet = book.sheet("RACI")
    sheet.append(["Duty", *roles])
    for number in range(rows):
        sheet.append([f"Duty {number}", "A", *["R"] * (len(roles) - 1)])
    out = io.BytesIO()
    book.save(out)
    if dimension is None:
        return out.getvalue()
    rewritten = io.BytesIO()
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(rewritten, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]+"/>', dimension.encode(), content)
            target.writestr(item, content)
    return rewritten.getvalue()


def test_estimate_size_counts_rows_and_the_columns_cells_use():
    from responsibilities.spreadsheets.sheets import estimate_size

    data = _wide_xlsx(3, ["Head of Sales", "Account Manager"], dimension='<dimension ref="A1"/>')
    assert estimate_size(data) == (4, 3)  # the cells' own references, not the dimension
    assert estimate_size(b"department;duty;role;letter\nS;d;r;A\n") == (3, 4)


def test_a_sheet_whose_dimension_understates_its_columns_is_read_whole(sales):
    from responsibilities.spreadsheets.sheets import read_table

    data = _wide_xlsx(2, ["Head of Sales", "Account Manager"], dimension='<dimension ref="A1:B2"/>')
    table = read_table(data, "m.xlsx")
    assert table.header == ("Duty", "Head of Sales", "Account Manager")
    assert [row.cells for row in table.rows] == [("Duty 0", "A", "R"), ("Duty 1", "A", "R")]


@override_settings(IMPORT_INLINE_MAX_CELLS=20)
def test_a_wide_file_with_many_cells_is_checked_by_a_job(
    admin_user, sales, client_for, django_capture_on_commit_callbacks
):
    data = _wide_xlsx(8, ["Head of Sales", "Account Manager"])  # 9 rows × 3 columns
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        job = _job_for(_upload(client, RACI, data, "wide.xlsx", department="SALES"))
    job.refresh_from_db()
    assert job.valid and job.summary["assignments_created"] == 16


def test_a_step_whose_worker_was_lost_says_so_instead_of_polling_for_ever(
    admin_user, client_for, settings
):
    import datetime

    from django.utils import timezone

    job = ImportJob.objects.create(
        kind="raci",
        requested_by=admin_user,
        status=ImportJob.Status.RUNNING,
        started_at=timezone.now()
        - datetime.timedelta(seconds=settings.IMPORT_TIME_LIMIT_SECONDS + 600),
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    page = client_for(admin_user).get(reverse("import-job", args=[job.pk])).content.decode()
    assert "its worker was lost" in page and "every 1s" not in page
