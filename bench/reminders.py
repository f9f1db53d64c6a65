"""Reminder benchmark: 10,000 due meeting reminders dispatched, then sent by a real
prefork Celery worker on Redis to a local SMTP sink, counted for duplicates.

    .venv/bin/python bench/reminders.py [--reminders 10000] [--meetings 100] [--dispatchers 2]

Needs PostgreSQL and Redis: DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/orgmap_bench_reminders — that database is dropped
and created again) and REDIS_URL (default redis://127.0.0.1:6379/0; the benchmark uses
database 13 of that server, on a queue of its own).

What it does: migrates the empty database and writes `--meetings` meetings starting
in 20 minutes (each in its own time zone), each inviting `reminders / meetings` people
out of a pool of people (half of them reading Chinese), so that exactly `--reminders`
reminders are due. It runs `--dispatchers` dispatchers at the same moment (two beats by
mistake: they must not duplicate anything), enqueueing on Redis, then starts
`celery -A orgmap worker --pool=prefork` (default concurrency: one process per core) with
EMAIL_URL pointing at an aiosmtpd sink running in this process (`--overlap`: the worker
starts first and sends while the dispatchers still create). Printed: the dispatch time
(until every dispatcher has returned), the send time (from the worker's start, or with
`--overlap` from the dispatch's start, until the sink has every message), mails per
second, the worker's CPU time, SMTP connections, and duplicates (messages at the sink
with the same recipient and subject, plus deliveries not `sent`).
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from email.parser import BytesHeaderParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/orgmap_bench_reminders"
)
REDIS_URL = os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
BROKER_URL = REDIS_URL.rsplit("/", 1)[0] + "/13"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orgmap.settings")
SECRET_KEY = "bench-reminders-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
# Production settings (no query log), in this process as in the worker.
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", SECRET_KEY)
os.environ["ORGMAP_DATA_DIR"] = tempfile.mkdtemp(prefix="orgmap-bench-reminders-")
os.environ["CELERY_BROKER_URL"] = BROKER_URL
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
# A queue of its own (for this process and the worker): other processes on the same
# Redis neither take its tasks nor send it theirs.
QUEUE = os.environ["CELERY_TASK_DEFAULT_QUEUE"] = f"orgmap-bench-reminders-{os.getpid()}"
ZONES = ["UTC", "Europe/Berlin", "Asia/Shanghai", "America/New_York"]


def _prepare_postgres() -> None:
    import psycopg2

    name = DATABASE_URL.rsplit("/", 1)[1]
    admin = psycopg2.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def _seed(reminders: int, meetings: int) -> None:
    """`meetings` meetings, each inviting `reminders // meetings` people from a pool
    twice that size, so that people get several reminders each."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from collaboration.meetings.models import Meeting
    from orgmap.models import Profile

    user_model = get_user_model()
    per_meeting = reminders // meetings
    pool = max(per_meeting * 2, 100)
    users = user_model.objects.bulk_create(
        user_model(username=f"person{n}", email=f"person{n}@example.com") for n in range(pool)
    )
    Profile.objects.bulk_create(
        Profile(user=user, display_name=f"Person {n}", language="zh-hans" if n % 2 else "en")
        for n, user in enumerate(users)
    )
    start = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(minutes=20)
    created = Meeting.objects.bulk_create(
        Meeting(
            title=f"Weekly sync {n}",
            starts_at=start,
            time_zone=ZONES[n % len(ZONES)],
            duration_minutes=30,
        )
        for n in range(meetings)
    )
    through = Meeting.attendee_people.through
    through.objects.bulk_create(
        through(meeting_id=meeting.pk, user_id=users[(n * 7 + k) % pool].pk)
        for n, meeting in enumerate(created)
        for k in range(per_meeting)
    )


class Sink:
    """What the SMTP sink received: messages by (recipient, subject), connections."""

    def __init__(self) -> None:
        self.received: Counter = Counter()
        self.sessions: list = []  # the session objects themselves: ids get reused
        self.count = 0
        self._lock = threading.Lock()
        self._parser = BytesHeaderParser()

    async def handle_DATA(self, server, session, envelope) -> str:
        headers = self._parser.parsebytes(envelope.original_content or envelope.content)
        subject = headers["Subject"]
        with self._lock:
            if not any(seen is session for seen in self.sessions):
                self.sessions.append(session)
            for recipient in envelope.rcpt_tos:
                self.received[(recipient, str(subject))] += 1
            self.count += 1
        return "250 OK"


def _start_worker(port: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "celery", "-A", "orgmap", "worker", "--pool=prefork"]
    command += ["-l", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


def _dispatch(dispatchers: int) -> tuple[float, float, list[int]]:
    """(wall seconds until every dispatcher returned, their CPU seconds, created each)."""
    from django.db import connections
    from django.utils import timezone

    from collaboration.reminders import dispatcher

    barrier = threading.Barrier(dispatchers)
    created: list[int] = []
    cpu: list[float] = []

    def run() -> None:
        barrier.wait()
        start = time.thread_time()
        try:
            created.append(len(dispatcher.reminders_dispatch(now=timezone.now()).created))
        finally:
            cpu.append(time.thread_time() - start)
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(dispatchers)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, sum(cpu), created


def _report(sink: Sink, send_seconds: float, *, overlap: bool, log: Path) -> None:
    from collaboration.reminders.models import ReminderDelivery

    # The worker and its pool processes, start-up and idle time included.
    worker_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu_seconds = worker_cpu.ru_utime + worker_cpu.ru_stime
    statuses = Counter(ReminderDelivery.objects.values_list("status", flat=True))
    duplicates = sum(count - 1 for count in sink.received.values() if count > 1)
    since = "the dispatch's start" if overlap else "the worker's start"
    print(f"send:     {send_seconds:6.1f} s from {since}   ({sink.count:,} mails at the sink)")
    print(f"mails/s:  {sink.count / send_seconds:6.1f}")
    print(
        f"worker CPU: {worker_cpu_seconds:.1f} s "
        f"({1000 * worker_cpu_seconds / max(sink.count, 1):.1f} ms a mail)"
    )
    print(f"load average at the end: {os.getloadavg()}")
    print(f"SMTP connections: {len(sink.sessions)}")
    print(f"duplicates: {duplicates}   distinct reminders at the sink: {len(sink.received):,}")
    print(f"deliveries: {dict(statuses)}")
    if log.exists() and "ERROR" in log.read_text():
        print("worker errors:\n" + log.read_text()[-2000:])


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--meetings", type=int, default=100)
    parser.add_argument("--dispatchers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument(
        "--overlap",
        action="store_true",
        help="start the worker before dispatching, so that it sends while the dispatchers "
        "still create (send time then counts from the dispatch's start)",
    )
    return parser.parse_args()


def main() -> None:
    args = _arguments()

    _prepare_postgres()
    import django

    django.setup()
    import redis
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.core.management import call_command

    redis.Redis.from_url(BROKER_URL).delete(QUEUE)
    call_command("migrate", verbosity=0)
    _seed(args.reminders, args.meetings)
    print(
        f"PostgreSQL {DATABASE_URL.rsplit('/', 1)[1]}, Redis {BROKER_URL}; "
        f"{args.reminders:,} reminders in {args.meetings} meetings; "
        f"batch size {settings.REMINDER_BATCH_SIZE}; {args.dispatchers} dispatchers; "
        f"worker --pool=prefork, concurrency {os.cpu_count()}"
    )
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per command
    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    log = Path(os.environ["ORGMAP_DATA_DIR"]) / "worker.log"
    worker = None
    try:
        if args.overlap:
            worker = _start_worker(port, log)
            time.sleep(8)  # the worker and its pool processes start
        start = time.perf_counter()
        dispatch_seconds, dispatch_cpu, created = _dispatch(args.dispatchers)
        print(
            f"dispatch: {dispatch_seconds:6.1f} s   ({dispatch_cpu:.1f} s CPU in this process)"
            f"   created by each dispatcher: {created}"
        )
        if not args.overlap:
            # Send time from the worker's start, its start-up included.
            start = time.perf_counter()
            worker = _start_worker(port, log)
        deadline = start + args.timeout
        while sink.count < args.reminders and time.perf_counter() < deadline:
            time.sleep(0.05)
        send_seconds = time.perf_counter() - start
        time.sleep(5)  # a duplicate, if any, would arrive now
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=60)
        controller.stop()
    _report(sink, send_seconds, overlap=args.overlap, log=log)


if __name__ == "__main__":
    main()
