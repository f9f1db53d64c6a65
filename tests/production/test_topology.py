"""The production topology, driven in Chromium: `make prod-local` (gunicorn, a prefork
Celery worker and beat, DEBUG off) on PostgreSQL and Redis, with a local SMTP sink and no
eager tasks. The user journeys that the in-process suite cannot see: a cell edit, a
search, a bulk PDF + DOCX export through the progress bar, a reminder sent by the real
worker.

Runs only when ORGMAP_PRODUCTION_STAGE=1 (`.ci/run` sets it after `make test`), with
DATABASE_URL pointing at a PostgreSQL server (a database `orgmap_stage` is created and
dropped there) and REDIS_URL at Redis (database 12 is used and flushed).
"""

from __future__ import annotations

import email
import email.policy
import io
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from docx import Document
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.collaboration.smtp import smtp_server

ROOT = Path(__file__).resolve().parents[2]
STAGE_DATABASE = "orgmap_stage"
STAGE_REDIS_DB = 12
STAGE_MEETING = "Production stage sync"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.production_stage,
    pytest.mark.skipif(
        not os.environ.get("ORGMAP_PRODUCTION_STAGE"),
        reason="the production stage runs from .ci/run (ORGMAP_PRODUCTION_STAGE=1)",
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _admin_connection():
    import psycopg2

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.fail("the production stage needs DATABASE_URL on PostgreSQL")
    # The server's maintenance database: DATABASE_URL's own may not exist yet.
    connection = psycopg2.connect(_with_path(url, "/postgres"))
    connection.autocommit = True
    return connection


class Stage:
    def __init__(self, url: str, database_url: str, mailbox, log: Path) -> None:
        self.url = url
        self.database_url = database_url
        self.mailbox = mailbox
        self.log = log

    def query(self, sql: str, *params):
        import psycopg2

        with psycopg2.connect(self.database_url) as connection, connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]


def _wait_healthy(url: str, process: subprocess.Popen, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1)
    return False


@pytest.fixture(scope="module")
def stage(tmp_path_factory):
    import redis

    folder = tmp_path_factory.mktemp("production-stage")
    admin = _admin_connection()
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {STAGE_DATABASE} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {STAGE_DATABASE}")
    database_url = _with_path(os.environ["DATABASE_URL"], f"/{STAGE_DATABASE}")
    redis_url = _with_path(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0", "")
    redis_url = f"{redis_url.rstrip('/')}/{STAGE_REDIS_DB}"
    redis.Redis.from_url(redis_url).flushdb()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"

    with smtp_server() as (mailbox, smtp_port):
        env_file = folder / "stage.env"
        env_file.write_text(
            "\n".join(
                [
                    "SECRET_KEY=production-stage-secret-key-0123456789-abcdefghijklmnopqrstuv",
                    f"DATABASE_URL={database_url}",
                    f"REDIS_URL={redis_url}",
                    f"ORGMAP_ADDRESS=127.0.0.1:{port}",
                    "ALLOWED_HOSTS=127.0.0.1,localhost",
                    f"CSRF_TRUSTED_ORIGINS={url}",
                    # Plain HTTP on this machine: no HTTPS redirect, cookies not "secure".
                    "SECURE_SSL_REDIRECT=0",
                    "SESSION_COOKIE_SECURE=0",
                    f"EMAIL_URL=smtp://127.0.0.1:{smtp_port}",
                    "DEFAULT_FROM_EMAIL=orgmap <orgmap@example.com>",
                    f"ORGMAP_DATA_DIR={folder / 'var'}",
                    f"STATIC_ROOT={folder / 'staticfiles'}",
                    "REMINDER_LEAD_TIMES=15m",
                    "WEB_CONCURRENCY=2",
                    "CELERY_TASK_ALWAYS_EAGER=0",
                    "",
                ]
            )
        )
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "PYTEST_", "CELERY_"))
            and key not in {"DEBUG", "DATABASE_URL", "REDIS_URL", "ORGMAP_TESTING"}
        }
        honcho = [str(ROOT / ".venv" / "bin" / "honcho"), "-e", str(env_file)]
        env["PATH"] = f"{ROOT / '.venv' / 'bin'}:{env.get('PATH', '')}"
        log = folder / "topology.log"
        # Data first (the migrations the Makefile would run, then the demo and a due
        # meeting), so that beat's first dispatch finds the meeting.
        for command in (
            ["run", "env", "DATABASE_STATEMENT_TIMEOUT=0", "python", "manage.py", "migrate"],
            ["run", "python", "tests/production/stage_data.py"],
        ):
            subprocess.run(
                [*honcho, *command],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                timeout=300,
            )
        # Exactly as the README says: make prod-local, here with the stage's env file.
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                ["make", "prod-local", f"ENV_FILE={env_file}"],
                cwd=ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        stage = Stage(url, database_url, mailbox, log)
        try:
            if not _wait_healthy(url, process, 150):
                pytest.fail(f"the topology did not become healthy:\n{stage.log_tail()}")
            yield stage
        finally:
            # honcho stops gunicorn, the worker and beat on SIGTERM.
            with _suppress_lookup():
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                with _suppress_lookup():
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {STAGE_DATABASE} WITH (FORCE)")
    admin.close()


class _suppress_lookup:
    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        return kind is ProcessLookupError


def login(page: Page, stage: Stage, username: str) -> None:
    page.goto(f"{stage.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Organisation")).to_be_visible()


def test_stage_runs_without_debug_and_with_collected_static_files(stage: Stage, page: Page):
    page.goto(f"{stage.url}/accounts/login/")
    stylesheet = page.locator('link[rel="stylesheet"]').first.get_attribute("href")
    # A hashed name from collectstatic's manifest: DEBUG is off and WhiteNoise serves it.
    assert stylesheet.startswith("/static/") and stylesheet.count(".") >= 2, stylesheet
    assert page.request.get(f"{stage.url}{stylesheet}").status == 200
    assert page.request.get(f"{stage.url}/no-such-page/").status == 404


def test_manager_edits_a_cell_and_sees_the_flag_change(stage: Stage, page: Page):
    [(duty_id,)] = stage.query(
        "SELECT id FROM responsibilities_duty WHERE title = %s",
        "Negotiate key customer contracts",
    )
    [(role_id,)] = stage.query("SELECT id FROM orgmap_role WHERE title = %s", "Head of Sales")
    login(page, stage, "sales_manager")
    page.goto(f"{stage.url}/departments/SALES/matrix/")
    row = page.locator("tr", has_text="Negotiate key customer contracts")
    flags = row.locator("td.flags")
    expect(flags).to_contain_text("no A")
    cell = page.locator(f"#cell-{duty_id}-{role_id}")
    cell.locator("a.cell-button").click()
    cell.get_by_role("button", name="A", exact=True).click()
    expect(page.locator(f"#cell-{duty_id}-{role_id}")).to_have_text("A")
    expect(flags).not_to_contain_text("no A")
    assert stage.query(
        "SELECT letter FROM responsibilities_assignment WHERE duty_id = %s AND role_id = %s",
        duty_id,
        role_id,
    ) == [("A",)]


def test_member_finds_who_owns_a_task(stage: Stage, page: Page):
    login(page, stage, "member")
    page.get_by_placeholder("Who owns…?").fill("sales forec")
    live = page.locator("#live-search")
    result = live.get_by_role("option", name="Maintain the sales forecast")
    accountable = result.locator(".owners-line").first
    expect(accountable).to_contain_text("Head of Sales")
    expect(accountable).to_contain_text("Sam Sales")


def test_hr_exports_pdf_and_docx_of_a_department_through_the_progress_bar(stage: Stage, page: Page):
    roles = stage.query(
        "SELECT r.title FROM orgmap_role r JOIN orgmap_department d ON d.id = r.department_id "
        "WHERE r.active AND (d.code = 'SALES' OR d.parent_id = "
        "(SELECT id FROM orgmap_department WHERE code = 'SALES'))"
    )
    titles = sorted(title for (title,) in roles)
    assert len(titles) >= 6
    login(page, stage, "hr")
    page.goto(f"{stage.url}/exports/role-descriptions/")
    page.get_by_label("Department").select_option(label="Sales")
    page.get_by_label("Format").select_option(label="PDF and Word")
    page.get_by_role("button", name="Start the export").click()
    expect(page.locator("#export-progress progress")).to_be_visible()
    download_link = page.get_by_role("link", name=f"Download the zip ({len(titles)} roles)")
    expect(download_link).to_be_visible(timeout=90_000)
    with page.expect_download() as download_info:
        download_link.click()
    archive = zipfile.ZipFile(download_info.value.path())
    names = archive.namelist()
    pdfs = [name for name in names if name.endswith(".pdf")]
    docxs = [name for name in names if name.endswith(".docx")]
    assert len(pdfs) == len(titles) and len(docxs) == len(titles), names
    assert "PROBLEMS.txt" not in names
    pdf_titles, docx_titles = [], []
    for name in pdfs:
        reader = PdfReader(io.BytesIO(archive.read(name)))
        text = "".join(page.extract_text() for page in reader.pages)
        assert reader.metadata.title in text and "Duties" in text
        pdf_titles.append(reader.metadata.title)
    for name in docxs:
        document = Document(io.BytesIO(archive.read(name)))
        docx_titles.append(document.core_properties.title)
    assert sorted(pdf_titles) == titles and sorted(docx_titles) == titles


def test_the_worker_sends_the_meeting_reminder_to_the_smtp_sink(stage: Stage):
    deadline = time.monotonic() + 100
    while time.monotonic() < deadline and len(_stage_reminders(stage)) < 2:
        time.sleep(1)
    reminders = _stage_reminders(stage)
    assert len(reminders) == 2, stage.log_tail()
    recipients = sorted(message["To"] for message in reminders)
    assert recipients == ["hr@example.com", "member@example.com"]
    for message in reminders:
        body = message.get_body(preferencelist=("plain",)).get_content()
        # Links point at the address this topology serves on, not at a default.
        assert stage.url in body, body
        assert any(part.get_content_type() == "text/calendar" for part in message.walk())


def _stage_reminders(stage: Stage) -> list:
    messages = [
        email.message_from_bytes(raw, policy=email.policy.default)
        for raw in list(stage.mailbox.messages)
    ]
    return [message for message in messages if STAGE_MEETING in str(message["Subject"])]
