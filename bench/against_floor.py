"""Scale against the floor: the O*NET organisation served by gunicorn, each figure
printed beside what no page of this app can beat, measured in the same run.

    .venv/bin/python bench/scale.py --against-floor [--quick] [--database-url URL]

What it does, in order (see docs/benchmarks.md):

1. drops and creates the PostgreSQL database of --database-url (default
   postgres://postgres@127.0.0.1:5432/orgmap_bench), migrates it, collects static files;
2. imports people.csv, then a quarter of each department's duties from raci.csv, half,
   and all of it (`import_raci` adds what is missing), running VACUUM ANALYZE after each
   step (what autovacuum does in production; it may be off on a benchmark machine);
   at each size it counts the queries of the two matrix pages (through `manage.py shell`
   and Django's test client, so no module of the app is named here) and times them over
   HTTP: the growth table;
3. serves the organisation with gunicorn (DEBUG=0, production settings) and times, over
   HTTP with a logged-in session, each page beside its floor, interleaved (page, bare
   page, raw SQL, page, ...): the floor of a page is a bare logged-in page of the app
   (`/profile/`) plus the raw SQL that fetches the same rows (psycopg2), written out as a
   plain HTML table or CSV;
4. 50 concurrent users over mixed pages with cell edits, with 5 s mean think time and
   with none.

It drives the app only through HTTP and management commands, so that moving modules
inside the app does not break it. Data: "Contains information from O*NET 26.3 Database
by the U.S. Department of Labor, Employment and Training Administration (USDOL/ETA),
used under the CC BY 4.0 license."
"""

from __future__ import annotations

import argparse
import csv
import html
import http.client
import io
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import redis

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("ORGMAP_BENCH_DATA", ROOT.parent / "shared" / "data" / "onet-org"))
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
CELERY = str(ROOT / ".venv" / "bin" / "celery")
ADMIN = ("bench-admin", "bench-admin-password-0123")

# 30 queries people type: single words, phrases, typos, Chinese (which the O*NET data
# does not contain: these must find nothing, quickly), role titles and departments.
SEARCH_QUERIES = [
    "budget",
    "financial reports",
    "maintain equipment",
    "recieve shipments",
    "custmer complaints",
    "safety inspections",
    "train new employees",
    "schedule",
    "patient records",
    "lawyers",
    "legal documents",
    "contracts",
    "quality control",
    "inventroy",
    "machine operators",
    "welding",
    "compliance regulations",
    "maintenance",
    "accountants",
    "sofware",
    "research data",
    "teach students",
    "repair",
    "财务报告",
    "合同",
    "质量",
    "production schedules",
    "marketing",
    "electrical wiring",
    "emergency",
]


# ---------------------------------------------------------------- processes


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.url = args.database_url
        self.tmp = Path(tempfile.mkdtemp(prefix="orgmap-floor-"))
        self.env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "DEBUG": "0",
            "SECRET_KEY": "bench-secret-key-not-for-production-0123456789abcdef",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "ORGMAP_DATA_DIR": str(self.tmp / "data"),
            "STATIC_ROOT": str(self.tmp / "static"),
            "REDIS_URL": args.redis_url,
            # The production topology: tasks go through the broker to a prefork worker
            # started beside gunicorn (start_server), never run inside the request.
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_BROKER_URL": args.broker_url,
            # A role's version waits 60 s in production to gather a burst of edits; the
            # load runs last 30-60 s, so with that delay their versions would run after
            # the measurement. 5 s keeps that work inside it (and gathers less).
            "ATTESTATION_VERSION_DELAY_SECONDS": "5",
            "DJANGO_SUPERUSER_PASSWORD": ADMIN[1],
        }
        self.server: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.port = args.port

    def manage(self, *command: str, capture: bool = True) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *command],
            cwd=ROOT,
            env=self.env,
            capture_output=capture,
            text=True,
        )
        if result.returncode != 0:
            raise SystemExit(f"manage.py {' '.join(command)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def sql(self, statement: str, params: tuple | list = ()) -> list[tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def prepare(self) -> None:
        name = self.url.rsplit("/", 1)[1]
        admin = psycopg2.connect(self.url.rsplit("/", 1)[0] + "/postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        (self.tmp / "data").mkdir()
        self.manage("migrate", "--verbosity", "0")
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        self.connection = psycopg2.connect(self.url)
        self.connection.autocommit = True

    def analyse(self) -> None:
        # VACUUM too, as autovacuum would soon after an import in production (it is off
        # on some machines here): the import rewrites every duty once (its search text,
        # by trigger), which left as many dead rows as live ones, and index-only scans
        # need the visibility map that only VACUUM sets.
        self.sql("VACUUM ANALYZE")

    def start_server(self) -> None:
        command = [GUNICORN, "orgmap.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
        config = ROOT / "gunicorn.conf.py"
        if config.exists():
            command += ["--config", str(config)]  # the production configuration
        else:
            command += ["--workers", str(self.args.workers), "--threads", str(self.args.threads)]
        command += ["--error-logfile", str(self.tmp / "gunicorn.log")]
        self.server = subprocess.Popen(command, cwd=ROOT, env=self.env, start_new_session=True)
        self.start_worker()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/accounts/login/")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer; see {self.tmp / 'gunicorn.log'}")

    def start_worker(self) -> None:
        """One prefork worker process on an emptied broker database, as in production
        (docker-compose.yml): the tasks a request enqueues (a role's new version after a
        cell edit) run there, sharing the two cores with gunicorn."""
        redis.Redis.from_url(self.args.broker_url).flushdb()
        log = open(self.tmp / "worker.log", "ab")  # noqa: SIM115 - closed with the process
        self.worker = subprocess.Popen(
            [CELERY, "-A", "orgmap", "worker", "--pool", "prefork", "--concurrency", "1"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop_server(self) -> None:
        for process in (self.server, self.worker):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
        self.server = self.worker = None


# ---------------------------------------------------------------- HTTP


class Session:
    """One logged-in browser: a keep-alive connection and its cookies."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None) -> None:
        self.port = port
        self.cookies = dict(cookies or {})
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(
        self, method: str, path: str, body: dict | None = None, headers: dict | None = None
    ) -> tuple[int, bytes]:
        all_headers = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        payload = None
        if body is not None:
            payload = urllib.parse.urlencode(body)
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            if "csrftoken" in self.cookies:
                all_headers["X-CSRFToken"] = self.cookies["csrftoken"]
            all_headers["Referer"] = f"http://127.0.0.1:{self.port}/"
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=payload, headers=all_headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, content

    def login(self, username: str, password: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise SystemExit(f"no login form ({status})")
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": username,
                "password": password,
            },
        )
        if status != 302:
            raise SystemExit(f"login refused ({status})")


def timed_get(session: Session, path: str, headers: dict | None = None) -> float:
    start = time.perf_counter()
    status, _content = session.request("GET", path, headers=headers)
    elapsed = time.perf_counter() - start
    if status != 200:
        raise SystemExit(f"GET {path}: {status}")
    return elapsed


# ---------------------------------------------------------------- floors (raw SQL)


def html_table(rows: list[tuple]) -> str:
    out = io.StringIO()
    out.write("<table>")
    for row in rows:
        out.write("<tr>")
        for value in row:
            out.write(f"<td>{html.escape(str(value))}</td>")
        out.write("</tr>")
    out.write("</table>")
    return out.getvalue()


def csv_text(rows: list[tuple]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(rows)
    return out.getvalue()


MATRIX_SQL = """
    WITH page AS (
        SELECT id, title FROM responsibilities_duty
        WHERE department_id = %s AND project_id IS NULL ORDER BY title, id LIMIT 50)
    SELECT p.title, r.title, a.letter, a.version
    FROM page p LEFT JOIN responsibilities_assignment a ON a.duty_id = p.id
    LEFT JOIN orgmap_role r ON r.id = a.role_id ORDER BY p.title, p.id, r.title
"""

# The matrix of a department through the API: its first 50 duties (by id, the cursor's
# order) with their cells, as JSON.
API_MATRIX_SQL = """
    WITH page AS (
        SELECT id, title FROM responsibilities_duty
        WHERE department_id = %s ORDER BY id LIMIT 50)
    SELECT p.id, p.title, a.role_id, a.letter, a.version
    FROM page p LEFT JOIN responsibilities_assignment a ON a.duty_id = p.id
    ORDER BY p.id, a.role_id
"""

FINDINGS_SQL = """
    SELECT d.department_id,
        count(*) FILTER (WHERE s.accountable = 0) AS no_accountable,
        count(*) FILTER (WHERE s.accountable > 1) AS several_accountable,
        count(*) FILTER (WHERE s.responsible = 0) AS no_responsible
    FROM responsibilities_duty d JOIN LATERAL (
        SELECT count(*) FILTER (WHERE a.letter IN ('A', 'AR')) AS accountable,
               count(*) FILTER (WHERE a.letter IN ('R', 'AR')) AS responsible
        FROM responsibilities_assignment a WHERE a.duty_id = d.id) s ON true
    WHERE d.active GROUP BY d.department_id
"""

SEARCH_SQL = """
    SELECT d.id, d.title FROM responsibilities_duty d
    WHERE d.active AND d.title ILIKE %s ORDER BY d.title LIMIT 20
"""

EXPORT_SQL = """
    SELECT dd.code, d.title, r.title, rd.code, a.letter
    FROM responsibilities_assignment a
    JOIN responsibilities_duty d ON d.id = a.duty_id
    JOIN orgmap_department dd ON dd.id = d.department_id
    JOIN orgmap_role r ON r.id = a.role_id
    JOIN orgmap_department rd ON rd.id = r.department_id
    WHERE d.department_id = %s ORDER BY d.title, d.id, r.title
"""


def sql_floor(bench: Bench, statement: str, params: tuple, render) -> float:
    start = time.perf_counter()
    rows = bench.sql(statement, params)
    render(rows)
    return time.perf_counter() - start


# ---------------------------------------------------------------- figures


@dataclass
class Figure:
    name: str
    samples: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    note: str = ""

    def line(self) -> str:
        median = statistics.median(self.samples) * 1000
        if not self.floor:
            return f"| {self.name} | {median:,.1f} ms | | | {self.note} |"
        floor = statistics.median(self.floor) * 1000
        return (
            f"| {self.name} | {median:,.1f} ms | {floor:,.1f} ms | {median / floor:,.1f}× "
            f"| {self.note} |"
        )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def interleaved(name: str, repeat: int, page, bare, raw, note: str = "") -> Figure:
    """page, bare page, raw SQL, in turn, `repeat` times; floor = bare + raw."""
    figure = Figure(name, note=note)
    page()  # warm caches and connections
    for _ in range(repeat):
        figure.samples.append(page())
        floor_bare = bare()
        floor_sql = raw() if raw is not None else 0.0
        figure.floor.append(floor_bare + floor_sql)
    return figure


QUERY_COUNT_SCRIPT = """
import json
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
setup_test_environment()
client = Client(SERVER_NAME="127.0.0.1")
client.force_login(get_user_model().objects.get(username=USERNAME))
counts = {}
for label, method, path, data, headers in REQUESTS:
    client.get("/profile/")
    with CaptureQueriesContext(connection) as captured:
        if method == "GET":
            response = client.get(path, headers=headers)
        else:
            response = client.post(path, data, headers=headers)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    counts[label] = [response.status_code, len(captured)]
print("COUNTS" + json.dumps(counts))
"""


def query_counts(bench: Bench, requests: list[tuple]) -> dict[str, list[int]]:
    script = f"USERNAME = {ADMIN[0]!r}\nREQUESTS = {requests!r}\n" + QUERY_COUNT_SCRIPT
    output = bench.manage("shell", "-c", script)
    return json.loads(output.split("COUNTS", 1)[1])


def department_ids(bench: Bench) -> dict[str, tuple[int, str]]:
    return {
        name: (pk, code)
        for pk, name, code in bench.sql("SELECT id, name, code FROM orgmap_department")
    }


def subset_files(tmp: Path) -> list[tuple[str, Path]]:
    """raci.csv cut to the first quarter and half of every department's duties (in
    file order), then the whole file."""
    with open(DATA / "raci.csv", newline="", encoding="utf-8") as source:
        rows = list(csv.reader(source))
    header, body = rows[0], rows[1:]
    duties: dict[str, list[str]] = defaultdict(list)
    for row in body:
        if row[1] not in duties[row[0]]:
            duties[row[0]].append(row[1])
    files = []
    for label, fraction in (("1/4", 0.25), ("1/2", 0.5)):
        kept = {
            (department, title)
            for department, titles in duties.items()
            for title in titles[: max(1, int(len(titles) * fraction))]
        }
        path = tmp / f"raci-{fraction}.csv"
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(row for row in body if (row[0], row[1]) in kept)
        files.append((label, path))
    files.append(("full", DATA / "raci.csv"))
    return files


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against-floor", action="store_true")
    parser.add_argument("--quick", action="store_true", help="fewer repeats, shorter load")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/orgmap_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--port", type=int, default=8401)
    parser.add_argument("--workers", type=int, default=3, help="without gunicorn.conf.py")
    parser.add_argument("--threads", type=int, default=2, help="without gunicorn.conf.py")
    parser.add_argument("--users", type=int, default=50)
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgres"):
        raise SystemExit("--against-floor measures PostgreSQL: give a postgres:// URL")
    repeat = 5 if args.quick else 15
    bench = Bench(args)
    started = time.perf_counter()
    try:
        run(bench, args, repeat)
    finally:
        bench.stop_server()
        shutil.rmtree(bench.tmp, ignore_errors=True)
    print(f"\ntotal {time.perf_counter() - started:,.0f} s")


def machine_speed() -> str:
    """A fixed piece of pure Python, timed: these machines differ by up to 3× from one
    session to the next, so every run says how fast its CPU was (the figures of
    docs/benchmarks.md name theirs). The best of five, in CPU seconds."""
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        total = 0
        for number in range(2_000_000):
            total += number
        best = min(best, time.process_time() - start)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"machine: 2,000,000 additions in {best * 1000:,.0f} ms of CPU; load average {load}"


def run(bench: Bench, args: argparse.Namespace, repeat: int) -> None:
    print(f"database {args.database_url}; data {DATA}")
    print(machine_speed(), flush=True)
    bench.prepare()
    bench.manage("createsuperuser", "--noinput", "--username", ADMIN[0], "--email", "b@example.org")
    start = time.perf_counter()
    bench.manage("import_people", str(DATA / "people.csv"))
    print(f"import_people: {time.perf_counter() - start:,.1f} s", flush=True)
    bench.start_server()
    session = Session(args.port)
    session.login(*ADMIN)

    # ---- growth: the matrix pages at 1/4, 1/2 and the full organisation
    growth = []
    for label, path in subset_files(bench.tmp):
        start = time.perf_counter()
        bench.manage("import_raci", str(path))
        imported = time.perf_counter() - start
        bench.analyse()
        departments = department_ids(bench)
        legal, production = departments["Legal"], departments["Production"]
        (duties,) = bench.sql("SELECT count(*) FROM responsibilities_duty")[0]
        (cells,) = bench.sql("SELECT count(*) FROM responsibilities_assignment")[0]
        counts = query_counts(
            bench,
            [
                ("LEGAL", "GET", f"/departments/{legal[1]}/matrix/", None, {}),
                ("PRODUCTION", "GET", f"/departments/{production[1]}/matrix/", None, {}),
            ],
        )
        times = {}
        for name, (_pk, code) in (("LEGAL", legal), ("PRODUCTION", production)):
            path_ = f"/departments/{code}/matrix/"
            timed_get(session, path_)
            times[name] = statistics.median(timed_get(session, path_) for _ in range(repeat))
        growth.append((label, duties, cells, imported, counts, times))
        print(
            f"size {label}: {duties:,} duties, {cells:,} cells (import {imported:,.1f} s); "
            f"LEGAL {times['LEGAL'] * 1000:,.1f} ms {counts['LEGAL'][1]} queries; "
            f"PRODUCTION {times['PRODUCTION'] * 1000:,.1f} ms {counts['PRODUCTION'][1]} queries",
            flush=True,
        )

    departments = department_ids(bench)
    legal_id, legal = departments["Legal"]
    production_id, production = departments["Production"]
    figures: list[Figure] = []

    def add(figure: Figure) -> None:
        figures.append(figure)
        print(figure.line(), flush=True)  # as it comes: a long run shows its progress

    bare = lambda: timed_get(session, "/profile/")  # noqa: E731

    # ---- pages against their floors
    for code, pk in ((legal, legal_id), (production, production_id)):
        add(
            interleaved(
                f"matrix page {code}, first 50 rows",
                repeat,
                lambda code=code: timed_get(session, f"/departments/{code}/matrix/"),
                bare,
                lambda pk=pk: sql_floor(bench, MATRIX_SQL, (pk,), html_table),
            )
        )

    # The same matrices through the API (session authentication, the first page of 50
    # duties with their cells); the floor renders the raw rows as JSON.
    counts_requests = []
    for code, pk in ((legal, legal_id), (production, production_id)):
        api_path = f"/api/v1/duties/?department={code}"
        add(
            interleaved(
                f"matrix of {code} through the API, first 50 duties",
                repeat,
                lambda api_path=api_path: timed_get(session, api_path),
                bare,
                lambda pk=pk: sql_floor(bench, API_MATRIX_SQL, (pk,), json.dumps),
            )
        )
        counts_requests.append((f"API matrix {code}", "GET", api_path, None, {}))

    # Cell edits: a cell of the department, set to C and I in turn with its version.
    for code, pk in ((legal, legal_id), (production, production_id)):
        (duty_id, role_id, version), *_ = bench.sql(
            """SELECT d.id, r.id, coalesce(a.version, 0)
               FROM responsibilities_duty d JOIN orgmap_role r ON r.department_id = d.department_id
               LEFT JOIN responsibilities_assignment a ON a.duty_id = d.id AND a.role_id = r.id
               WHERE d.department_id = %s AND a.id IS NULL ORDER BY d.title, r.title LIMIT 1""",
            (pk,),
        )
        state = {"version": version, "letter": "I"}

        def edit(code=code, duty_id=duty_id, role_id=role_id, state=state) -> float:
            state["letter"] = "C" if state["letter"] == "I" else "I"
            start = time.perf_counter()
            status, _ = session.request(
                "POST",
                f"/matrix/cells/{duty_id}/{role_id}/",
                {
                    "letter": state["letter"],
                    "version": state["version"],
                    "scope": f"department:{code}",
                },
                headers={"HX-Request": "true"},
            )
            elapsed = time.perf_counter() - start
            if status != 200:
                raise SystemExit(f"cell edit answered {status}")
            state["version"] += 1
            return elapsed

        add(interleaved(f"cell edit {code} (htmx POST)", repeat, edit, bare, None))
        (version,) = bench.sql(
            "SELECT version FROM responsibilities_assignment WHERE duty_id=%s AND role_id=%s",
            (duty_id, role_id),
        )[0]
        counts_requests.append(
            (
                f"cell edit {code}",
                "POST",
                f"/matrix/cells/{duty_id}/{role_id}/",
                {"letter": "R", "version": version, "scope": f"department:{code}"},
                {"HX-Request": "true"},
            )
        )

    add(
        interleaved(
            "/findings/ page, whole organisation",
            max(3, repeat // 3),
            lambda: timed_get(session, "/findings/"),
            bare,
            lambda: sql_floor(bench, FINDINGS_SQL, (), html_table),
        )
    )

    def command(*words: str) -> float:
        start = time.perf_counter()
        bench.manage(*words)
        return time.perf_counter() - start

    add(
        interleaved(
            "manage.py findings --format json",
            3,
            lambda: command("findings", "--format", "json"),
            lambda: command("shell", "-c", "pass"),
            lambda: sql_floor(bench, FINDINGS_SQL, (), lambda rows: json.dumps(rows)),
            note="floor: a bare manage.py command + the aggregate",
        )
    )

    # ---- search: 30 queries, header page and live results
    for label, suffix, headers in (
        ("search page (header)", "", {}),
        ("live search (htmx)", "&live=1", {"HX-Request": "true"}),
    ):
        figure = Figure(label)
        for _round in range(max(1, repeat // 5)):
            for query in SEARCH_QUERIES:
                path = "/search/?q=" + urllib.parse.quote(query) + suffix
                figure.samples.append(timed_get(session, path, headers))
                words = query.split()
                figure.floor.append(
                    bare() + sql_floor(bench, SEARCH_SQL, (f"%{words[0]}%",), html_table)
                )
        figure.note = (
            f"p50 {percentile(figure.samples, 0.5) * 1000:,.1f} ms, "
            f"p95 {percentile(figure.samples, 0.95) * 1000:,.1f} ms over {len(figure.samples)}"
        )
        add(figure)

    # ---- exports of the largest department
    for fmt in ("csv", "xlsx"):
        add(
            interleaved(
                f"export {production} {fmt.upper()}",
                max(3, repeat // 3),
                lambda fmt=fmt: timed_get(session, f"/departments/{production}/matrix.{fmt}"),
                bare,
                lambda: sql_floor(bench, EXPORT_SQL, (production_id,), csv_text),
                note="floor: bare page + raw-SQL CSV of its cells",
            )
        )

    # ---- query counts of the same requests, in-process
    counts = query_counts(
        bench,
        [
            ("/findings/", "GET", "/findings/", None, {}),
            ("search", "GET", "/search/?q=budget", None, {}),
            ("live search", "GET", "/search/?q=budget&live=1", None, {"HX-Request": "true"}),
            *counts_requests,
        ],
    )

    print("\n| figure | orgmap | floor | ratio | note |\n|---|---:|---:|---:|---|")
    for figure in figures:
        print(figure.line())
    print("\n| request | queries |\n|---|---:|")
    for label, (status, count) in counts.items():
        print(f"| {label} | {count} (HTTP {status}) |")
    print(
        "\n| size | duties | cells | import_raci | LEGAL ms | queries | PRODUCTION ms | queries |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, duties, cells, imported, counts_, times in growth:
        print(
            f"| {label} | {duties:,} | {cells:,} | {imported:,.1f} s "
            f"| {times['LEGAL'] * 1000:,.1f} | {counts_['LEGAL'][1]} "
            f"| {times['PRODUCTION'] * 1000:,.1f} | {counts_['PRODUCTION'][1]} |"
        )

    # ---- load
    from bench.load import run_load

    paths = {
        "legal": f"/departments/{legal}/matrix/",
        "production": f"/departments/{production}/matrix/",
        "findings": "/findings/",
        "profile": "/profile/",
        "department": f"/departments/{legal}/",
    }
    cells = bench.sql(
        """SELECT d.id, r.id, d.department_id FROM responsibilities_duty d
           JOIN orgmap_role r ON r.department_id = d.department_id
           LEFT JOIN responsibilities_assignment a ON a.duty_id = d.id AND a.role_id = r.id
           WHERE d.department_id IN (%s, %s) AND a.id IS NULL
           ORDER BY random() LIMIT %s""",
        (legal_id, production_id, 2 * args.users),
    )
    scope = {legal_id: f"department:{legal}", production_id: f"department:{production}"}
    edit_cells = [(duty, role, scope[department]) for duty, role, department in cells]
    duration = 20 if args.quick else 60
    cpu_lines: list[str] = []
    print("\n| load | users | duration | requests | req/s | errors | p50 | p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    # Each run edits empty cells of its own: a user starts at version 0, so a cell the
    # first run edited would answer the second run's first edit with 409 (stale).
    for run, (label, think) in enumerate((("5 s mean think time", 5.0), ("no think time", 0.0))):
        result = run_load(
            port=args.port,
            cookies=session.cookies,
            users=args.users,
            duration=duration if think else duration // 2,
            think=think,
            paths=paths,
            search_queries=SEARCH_QUERIES,
            edit_cells=edit_cells[run::2],
            rng=random.Random(13),
        )
        print(result.line(label))
        cpu_lines.append(f"{label}: {result.cpu_line()}")
    # Below the table, so that it stays one table: where each run's CPU went.
    print("\n" + "\n".join(cpu_lines))


if __name__ == "__main__":
    main(sys.argv[1:])
