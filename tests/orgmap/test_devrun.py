"""`make run`'s launcher: web, worker and beat start together and all stop on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_ctrl_c_stops_web_worker_and_beat(tmp_path):
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    env.update(DEBUG="1", ORGMAP_DATA_DIR=str(tmp_path), ORGMAP_ADDRESS=f"127.0.0.1:{port}")
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    launcher = subprocess.Popen([sys.executable, "-m", "orgmap.devrun"], cwd=ROOT, env=env)
    marker = f"ORGMAP_DATA_DIR={tmp_path}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/accounts/login/", timeout=2
                ) as response:
                    assert response.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        # web (with its reloader child), worker (with its pool) and beat, besides the launcher
        assert len(_processes_with(marker)) >= 4
        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(timeout=40) == 0
        deadline = time.monotonic() + 10
        while _processes_with(marker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _processes_with(marker) == []
    finally:
        if launcher.poll() is None:
            launcher.kill()
        for pid in _processes_with(marker):
            os.kill(pid, signal.SIGKILL)
