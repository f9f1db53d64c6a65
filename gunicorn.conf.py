"""gunicorn settings for orgmap, read by `gunicorn -c gunicorn.conf.py orgmap.wsgi`
(the Docker image, the Procfile behind `make prod-local`). Why these choices:
docs/production.md, "The web server"."""

from __future__ import annotations

import os

# Where to listen. The image sets 0.0.0.0:8000; locally the address `make run` uses.
bind = os.environ.get("GUNICORN_BIND") or os.environ.get("ORGMAP_ADDRESS") or "127.0.0.1:8000"

# Synchronous worker processes: each request runs on its process's main thread, where a
# PDF's time limit (a SIGALRM timer, responsibilities/pdf.py) can interrupt it; requests
# are short and CPU- or database-bound, and the reverse proxy buffers slow clients.
worker_class = "sync"


def _cpu_count() -> int:
    # The CPUs this process may run on (a container's cpuset), not the host's.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# gunicorn's rule of thumb, 2 × CPUs + 1; WEB_CONCURRENCY overrides it.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _cpu_count() + 1)

# Longer than the slowest request we allow ourselves: a role's PDF is abandoned after
# PDF_RENDER_TIMEOUT_SECONDS with a friendly page, which must reach the user before
# gunicorn kills the worker (a 502 from the proxy).
timeout = int(os.environ.get("PDF_RENDER_TIMEOUT_SECONDS") or 60) + 30
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then, so that a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200

# The heartbeat file in memory rather than on a (possibly slow) container disk.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# One line per request on stdout, with the request id that the application's own log
# lines carry (orgmap/log.py sets the X-Request-ID response header).
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'

# Load the application once in the master, warm it (orgmap/warmup.py: every view
# imported, every template compiled, both catalogues read) and fork the workers from
# it: a new or recycled worker's first requests then cost what later ones do, and the
# workers share those pages of memory. A code change needs a restart (not a HUP).
preload_app = True


def when_ready(server) -> None:
    from orgmap.warmup import warm

    try:
        loaded = warm()
    except Exception:  # a warm-up that fails must not keep the site down
        server.log.exception("warm-up failed; the workers will load on first use")
    else:
        server.log.info(
            "warmed up: %(templates)s templates, %(form_templates)s form templates, "
            "%(languages)s languages",
            loaded,
        )


def post_fork(server, worker) -> None:
    # Nothing in the master should have opened a database connection, but one inherited
    # from it would be shared by every worker: close any, each worker opens its own.
    # (redis-py's connection pools notice a fork by the process id and start afresh.)
    from django.db import connections

    connections.close_all()
