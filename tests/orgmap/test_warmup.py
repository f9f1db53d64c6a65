"""The warm-up gunicorn's master runs before forking (orgmap/warmup.py): it loads what the
first requests would, and opens no connection a forked worker would inherit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter, as gunicorn's master does: the test process has long had
# its database connection, cache and templates.
SCRIPT = """
import json, sys
import django
django.setup()
import os
from django.db import connections
from django.template import engines
from django.forms.renderers import get_default_renderer
from orgmap.form_rendering import form_template_names
from orgmap.warmup import project_templates, warm

def sockets():
    links = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            links.append(os.readlink(f"/proc/self/fd/{fd}"))
        except FileNotFoundError:  # the listing's own descriptor, closed since
            pass
    return [link for link in links if link.startswith("socket:")]

loaded = warm()
loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "loaded": loaded,
    "project": len(project_templates()),
    "compiled": len(loader.get_template_cache),
    "forms": len(form_template_names()),
    "forms_compiled": len(get_default_renderer().jinja2.engine.env.cache),
    "sockets": sockets(),
    "database": [c.connection is not None for c in connections.all(initialized_only=True)],
    "modules": [m for m in ("redis", "kombu.transport.redis", "responsibilities.views.matrix") if m in sys.modules],
}))
"""


def test_warm_up_loads_templates_and_libraries_without_opening_a_connection():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "orgmap.settings",
        "DEBUG": "0",
        "SECRET_KEY": "warm-up-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "localhost",
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15",
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["loaded"]["templates"] == report["project"] > 100
    assert report["compiled"] >= report["project"]  # in the cached loader, compiled
    assert report["loaded"]["languages"] == 2
    # Django's form templates, compiled by the form renderer's Jinja2 environment.
    assert report["loaded"]["form_templates"] == report["forms"] > 30
    assert report["forms_compiled"] >= report["forms"]
    assert report["sockets"] == []  # no database, cache or broker connection
    assert not any(report["database"])
    assert set(report["modules"]) == {
        "redis",
        "kombu.transport.redis",
        "responsibilities.views.matrix",
    }


HOOKS = """
import json, logging, runpy
import django
django.setup()
from django.db import connection

config = runpy.run_path("gunicorn.conf.py")

class Log:
    lines = []

    def info(self, message, *args):  # formats as logging does (a dict argument too)
        record = logging.LogRecord("gunicorn", logging.INFO, "", 0, message, args, None)
        self.lines.append(record.getMessage())

    exception = info

class Server:
    log = Log()

config["when_ready"](Server)
connection.ensure_connection()  # as if something in the master had used the database
config["post_fork"](Server, None)
closed = connection.connection is None
connection.ensure_connection()  # the worker opens its own
print(json.dumps({
    "preload": config["preload_app"],
    "log": Server.log.lines,
    "closed": closed,
    "reopened": connection.is_usable(),
}))
"""


def test_gunicorn_preloads_and_warms_the_app_and_workers_open_their_own_connections(tmp_path):
    env = {
        **{name: value for name, value in os.environ.items() if name != "DATABASE_URL"},
        "DJANGO_SETTINGS_MODULE": "orgmap.settings",
        "DEBUG": "1",
        "ORGMAP_DATA_DIR": str(tmp_path),  # SQLite, in a file of its own
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    result = subprocess.run(
        [sys.executable, "-c", HOOKS], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["preload"] is True
    assert report["log"] and report["log"][0].startswith("warmed up: ")
    assert report["closed"] and report["reopened"]
