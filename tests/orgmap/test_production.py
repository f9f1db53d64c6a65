"""Production behaviour: health scopes and database timeouts, logs, the client address
behind proxies, static files without collectstatic, and the configuration documented."""

from __future__ import annotations

import io
import logging
import os
import re
import runpy
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.test import Client
from django.test.client import RequestFactory
from django.urls import reverse

from orgmap.log import ContextFilter, OneLineFormatter
from orgmap.models import Heartbeat
from orgmap.proxies import client_ip
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _run_django(env_overrides: dict[str, str], code: str, timeout: float = 60):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "orgmap.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# ---------------------------------------------------------------- /healthz


@pytest.mark.django_db
def test_web_scope_is_healthy_without_beat_but_the_full_report_is_not(client_for):
    assert not Heartbeat.objects.exists()
    web = client_for(None).get(reverse("healthz"), {"scope": "web"})
    assert web.status_code == 200
    assert web.json() == {"ok": True, "scope": "web", "checks": {"database": {"ok": True}}}
    full = client_for(None).get(reverse("healthz"))
    assert full.status_code == 503 and full.json()["checks"]["beat"]["ok"] is False


@pytest.mark.django_db
def test_unknown_health_scope_is_a_bad_request(client_for):
    response = client_for(None).get(reverse("healthz"), {"scope": "everything"})
    assert response.status_code == 400 and "scope must be one of" in response.json()["error"]


@pytest.mark.django_db
def test_health_command_exits_non_zero_when_beat_is_silent():
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("health", scope="beat", stdout=out)
    assert refused.value.returncode == 1 and '"no heartbeat yet"' in out.getvalue()
    call_command("health", scope="web", stdout=out)  # the database alone is fine


class SilentDatabase:
    """A TCP server that accepts connections and never says a word, like a database
    host whose server process hangs."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _address = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


def test_healthz_answers_503_within_seconds_when_the_database_never_answers(tmp_path):
    server = SilentDatabase()
    try:
        result = _run_django(
            {
                "DEBUG": "1",
                "ORGMAP_DATA_DIR": str(tmp_path),
                "DATABASE_URL": f"postgres://orgmap@127.0.0.1:{server.port}/orgmap",
                "ALLOWED_HOSTS": "testserver",
            },
            "import time; from django.test import Client; c = Client(); "
            "started = time.monotonic(); r = c.get('/healthz?scope=web'); "
            "print(r.status_code, round(time.monotonic() - started, 2)); print(r.content.decode())",
            timeout=40,
        )
    finally:
        server.close()
    assert result.returncode == 0, result.stderr[-2000:]
    status, seconds = result.stdout.split()[:2]
    assert status == "503", result.stdout
    # DATABASE_CONNECT_TIMEOUT is 3 s; without it the check would hang until the
    # subprocess's 40 s timeout. The margin is for a loaded machine, not a timing.
    assert float(seconds) < 20, result.stdout
    assert '"database": {"ok": false, "error": "OperationalError"}' in result.stdout
    assert server.accepted, "the check never reached the database"


def test_postgres_connections_get_connect_and_statement_timeouts(tmp_path):
    result = _run_django(
        {
            "DEBUG": "1",
            "ORGMAP_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://orgmap@db.example.com:5432/orgmap",
            "DATABASE_STATEMENT_TIMEOUT": "12",
        },
        "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])",
    )
    assert "'connect_timeout': 3" in result.stdout, result.stderr
    assert "-c statement_timeout=12s" in result.stdout
    assert "-c jit=off" in result.stdout  # short queries: no JIT compilation


# ---------------------------------------------------------------- logs


@pytest.fixture
def log_lines():
    """What the production handler writes for django.request, as a list of lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(OneLineFormatter("%(levelname)s %(name)s [%(request_id)s] %(message)s"))
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        yield lambda: stream.getvalue().splitlines()
    finally:
        logger.removeHandler(handler)


def test_a_refused_request_logs_one_line_with_its_request_id(member, client_for, log_lines):
    response = client_for(member).get(reverse("bulk-export"))
    assert response.status_code == 403
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", request_id)
    [line] = log_lines()
    assert (
        line
        == f"WARNING django.request [{request_id}] Forbidden (Permission denied): /exports/role-descriptions/"
    )
    assert "Traceback" not in line


def test_a_proxys_request_id_is_kept_and_a_hostile_one_replaced(client_for, member):
    client = client_for(member)
    assert client.get("/", headers={"X-Request-ID": "abc-123"})["X-Request-ID"] == "abc-123"
    replaced = client.get("/", headers={"X-Request-ID": "x\nfake log line"})["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", replaced)


def test_a_traceback_stays_on_its_line():
    formatter = OneLineFormatter("%(levelname)s %(name)s %(message)s")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = formatter.format(record)
    assert "\n" not in line and "Traceback" in line and "RuntimeError: boom" in line


# ---------------------------------------------------------------- behind proxies


def test_client_address_is_the_one_the_trusted_proxy_appended(settings):
    factory = RequestFactory()

    def request(xff: str | None):
        extra = {"REMOTE_ADDR": "172.18.0.1"}
        if xff is not None:
            extra["HTTP_X_FORWARDED_FOR"] = xff
        return factory.get("/", **extra)

    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request("203.0.113.9")) == "172.18.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request("203.0.113.9")) == "203.0.113.9"
    # Whatever the client put in front is ignored.
    assert client_ip(request("6.6.6.6, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(request(None)) == "172.18.0.1"
    assert client_ip(request("not-an-address")) == "172.18.0.1"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request("6.6.6.6, 203.0.113.9, 10.0.0.2")) == "203.0.113.9"


@pytest.mark.django_db
def test_behind_one_proxy_a_lockout_is_per_client_not_per_proxy(member, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    def login(password: str, client_address: str):
        return Client().post(
            reverse("login"),
            {"username": "member", "password": password},
            REMOTE_ADDR="172.18.0.1",  # the proxy, for everybody
            HTTP_X_FORWARDED_FOR=client_address,
        )

    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login("wrong", "203.0.113.66")
    assert login(PASSWORD, "203.0.113.66").status_code == 429
    assert login(PASSWORD, "198.51.100.7").status_code == 302


# ---------------------------------------------------------------- settings and files


def test_login_page_renders_with_debug_off_before_collectstatic(tmp_path):
    result = _run_django(
        {
            "SECRET_KEY": "production-like-secret-key-0123456789-abcdefghijklmnop",
            "ORGMAP_DATA_DIR": str(tmp_path),
            "STATIC_ROOT": str(tmp_path / "not-collected"),
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",
        },
        "from django.test import Client; r = Client().get('/accounts/login/'); "
        "print(r.status_code); print(r.content.decode())",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    status, page = result.stdout.split("\n", 1)
    assert status == "200", result.stderr[-2000:]
    assert 'href="/static/css/' in page
    assert "Static files are not collected" in result.stderr


def test_site_url_defaults_to_the_address_make_run_serves_on(tmp_path):
    result = _run_django(
        {"DEBUG": "1", "ORGMAP_DATA_DIR": str(tmp_path), "ORGMAP_ADDRESS": "127.0.0.1:8201"},
        "from django.conf import settings; print(settings.SITE_URL)",
    )
    assert result.stdout.strip() == "http://127.0.0.1:8201", result.stderr


def test_the_embedded_broker_keeps_its_control_files_in_the_data_folder(tmp_path):
    result = _run_django(
        {"DEBUG": "1", "ORGMAP_DATA_DIR": str(tmp_path)},
        "from django.conf import settings; "
        "print(settings.CELERY_BROKER_TRANSPORT_OPTIONS['control_folder'])",
    )
    assert result.stdout.strip() == str(tmp_path / "celery" / "control"), result.stderr


def _settings_variables() -> set[str]:
    source = (ROOT / "orgmap" / "settings.py").read_text()
    names = set(
        re.findall(
            r"""(?:os\.environ\.get|os\.getenv|env_bool|env_list)\(\s*["']([A-Z0-9_]+)""", source
        )
    )
    names |= set(re.findall(r"""os\.environ\[\s*["']([A-Z0-9_]+)""", source))
    if "dj_database_url.config(" in source:
        names.add("DATABASE_URL")  # read by dj-database-url
    return names


def test_every_variable_the_settings_read_is_in_env_example_and_the_readme():
    names = _settings_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "TRUSTED_PROXY_COUNT", "SITE_URL"} <= names
    example = (ROOT / ".env.example").read_text()
    in_example = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", example, flags=re.MULTILINE))
    readme = (ROOT / "README.md").read_text()
    in_readme_table = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", readme, flags=re.MULTILINE))
    assert sorted(names - in_example) == []
    assert sorted(names - in_readme_table) == []


def test_gunicorn_waits_longer_than_a_pdf_and_scales_with_the_cpus(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.setenv("PDF_RENDER_TIMEOUT_SECONDS", "60")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["timeout"] > 60
    assert config["worker_class"] == "sync"  # the PDF time limit needs the main thread
    assert config["workers"] == 2 * len(os.sched_getaffinity(0)) + 1
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"] == 3


def test_control_folder_is_not_in_the_repository():
    assert not (ROOT / "control").exists() or "/control/" in (ROOT / ".gitignore").read_text()
    tracked = subprocess.run(
        ["git", "ls-files", "control"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    assert tracked == ""
