"""A small load generator: virtual users on threads, each with its own keep-alive
connection, over a mix of pages, live searches and cell edits (each user edits cells
of its own, with the version it last saw, so edits never conflict with each other).

Used by bench/against_floor.py; the client shares the machine's cores with the server,
so its figures are a lower bound of what the server alone would do.
"""

from __future__ import annotations

import os
import random
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from bench.against_floor import Session, percentile

# What a user does, with weights: mostly reading matrices and searching, one edit in ten.
MIX = [
    ("legal", 20),
    ("production", 15),
    ("search", 25),
    ("findings", 5),
    ("department", 10),
    ("profile", 15),
    ("edit", 10),
]


# Which process a CPU second belongs to, by its command line (Linux's /proc).
PROCESS_KINDS = (("gunicorn", "gunicorn"), ("celery", "worker"), ("postgres", "PostgreSQL"))


def cpu_seconds_by_kind() -> dict[str, float]:
    """CPU seconds used so far by gunicorn, the Celery worker, PostgreSQL and this load
    generator (every process of each, threads included), read from /proc; empty where
    there is no /proc. Two readings around a run say where its CPU went. (A process that
    ends unreaped between them, or whose parent is of another kind, is missed.)"""
    seconds: dict[str, float] = {}
    if not os.path.isdir("/proc"):
        return seconds
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as file:
                command = file.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{entry}/stat") as file:
                fields = file.read().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(entry) == os.getpid():
            kind = "load generator"
        else:
            kind = next((label for word, label in PROCESS_KINDS if word in command), None)
        if kind is not None:
            # Its own user and system time, and that of the children it has reaped: a
            # PostgreSQL backend or a gunicorn worker that ended during the run is
            # counted in its parent (the postmaster, the arbiter) instead of vanishing.
            used = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
            seconds[kind] = seconds.get(kind, 0.0) + used / tick
    return seconds


@dataclass
class LoadResult:
    durations: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    users: int = 0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by process kind

    def line(self, label: str) -> str:
        count = len(self.durations)
        errors = sum(self.errors.values())
        detail = f" {dict(sorted(self.errors.items()))}" if errors else ""
        p50 = percentile(self.durations, 0.5) * 1000 if count else 0
        p95 = percentile(self.durations, 0.95) * 1000 if count else 0
        return (
            f"| {label} | {self.users} | {self.elapsed:,.0f} s | {count:,} "
            f"| {count / self.elapsed:,.1f} | {errors}{detail} | {p50:,.0f} ms | {p95:,.0f} ms |"
        )

    def cpu_line(self) -> str:
        """CPU per request by process kind: where the cores' time went."""
        count = len(self.durations)
        if not self.cpu or not count:
            return ""
        parts = [
            f"{kind} {seconds / count * 1000:,.1f} ms ({seconds / self.elapsed:.0%} of a core)"
            for kind, seconds in sorted(self.cpu.items(), key=lambda item: -item[1])
        ]
        return "CPU per request: " + ", ".join(parts)


def run_load(
    *,
    port: int,
    cookies: dict[str, str],
    users: int,
    duration: float,
    think: float,
    paths: dict[str, str],
    search_queries: list[str],
    edit_cells: list[tuple[int, int, str]],
    rng: random.Random,
) -> LoadResult:
    result = LoadResult(users=users)
    lock = threading.Lock()
    kinds = [kind for kind, _weight in MIX]
    weights = [weight for _kind, weight in MIX]
    deadline = time.monotonic() + duration
    seeds = [rng.random() for _ in range(users)]

    def user(index: int) -> None:
        local = random.Random(seeds[index])
        session = Session(port, cookies)
        cell = edit_cells[index % len(edit_cells)] if edit_cells else None
        version, letter = 0, "I"
        if think:
            time.sleep(local.uniform(0, think))  # users arrive spread out
        while time.monotonic() < deadline:
            kind = local.choices(kinds, weights)[0]
            if kind == "edit" and cell is None:
                kind = "profile"
            start = time.perf_counter()
            try:
                if kind == "edit":
                    duty_id, role_id, scope = cell
                    letter = "C" if letter == "I" else "I"
                    status, _ = session.request(
                        "POST",
                        f"/matrix/cells/{duty_id}/{role_id}/",
                        {"letter": letter, "version": version, "scope": scope},
                        headers={"HX-Request": "true"},
                    )
                    if status == 200:
                        version += 1
                elif kind == "search":
                    query = urllib.parse.quote(local.choice(search_queries))
                    status, _ = session.request(
                        "GET", f"/search/?q={query}&live=1", headers={"HX-Request": "true"}
                    )
                else:
                    status, _ = session.request("GET", paths[kind])
                error = None if status == 200 else f"{kind} {status}"
            except Exception as exc:
                error = f"{kind} {type(exc).__name__}"
            elapsed = time.perf_counter() - start
            with lock:
                result.durations.append(elapsed)
                if error:
                    result.errors[error] = result.errors.get(error, 0) + 1
            if think:
                time.sleep(local.expovariate(1 / think))

    threads = [threading.Thread(target=user, args=(index,), daemon=True) for index in range(users)]
    cpu_before = cpu_seconds_by_kind()
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 120)
    result.elapsed = time.monotonic() - started
    cpu_after = cpu_seconds_by_kind()
    result.cpu = {
        kind: max(0.0, seconds - cpu_before.get(kind, 0.0)) for kind, seconds in cpu_after.items()
    }
    return result
