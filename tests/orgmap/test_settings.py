"""Settings come from the environment with safe defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from orgmap.settings import parse_email_url

ROOT = Path(__file__).resolve().parents[2]


def _run_django(env_overrides: dict[str, str], code: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "orgmap.settings", **env_overrides})
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; {code}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_secret_key_is_required_when_debug_is_off(tmp_path):
    result = _run_django({"ORGMAP_DATA_DIR": str(tmp_path)}, "print(settings.DEBUG)")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_defaults_are_sqlite_in_the_data_folder_and_the_filesystem_broker(tmp_path):
    result = _run_django(
        {"DEBUG": "1", "ORGMAP_DATA_DIR": str(tmp_path)},
        "print(settings.DATABASES['default']['NAME']); print(settings.CELERY_BROKER_URL)",
    )
    assert result.returncode == 0, result.stderr
    database, broker = result.stdout.split()
    assert database == str(tmp_path / "orgmap.sqlite3")
    assert broker == "filesystem://"
    assert (tmp_path / "celery" / "queue").is_dir()


def test_redis_url_is_the_broker_when_given(tmp_path):
    result = _run_django(
        {"DEBUG": "1", "ORGMAP_DATA_DIR": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:6379/3"},
        "print(settings.CELERY_BROKER_URL)",
    )
    assert result.stdout.strip() == "redis://127.0.0.1:6379/3"


def test_deploy_check_passes_with_production_environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-value",
        ALLOWED_HOSTS="orgmap.example.com",
        CSRF_TRUSTED_ORIGINS="https://orgmap.example.com",
        ORGMAP_DATA_DIR=str(tmp_path),
        EMAIL_URL="smtp://mail.example.com:587?tls=1",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_email_url_parsing():
    mailer = parse_email_url("smtp://user%40x:p%3Ass@mail.example.com:587?tls=1")
    assert mailer["BACKEND"].endswith("smtp.EmailBackend")
    assert mailer["OPTIONS"]["host"] == "mail.example.com"
    assert mailer["OPTIONS"]["port"] == 587
    assert mailer["OPTIONS"]["username"] == "user@x"
    assert mailer["OPTIONS"]["password"] == "p:ss"
    assert mailer["OPTIONS"]["use_tls"] is True
    assert parse_email_url("console://")["BACKEND"].endswith("console.EmailBackend")
