"""Run the web app, a Celery worker and beat together for local use (`make run`).

Each child runs in its own process group, so that Ctrl-C here stops all of them,
including the processes they start themselves (runserver's reloader, worker pool).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings

SHUTDOWN_GRACE_SECONDS = 15


def _commands(address: str) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "web": [python, "manage.py", "runserver", address],
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "orgmap",
            "worker",
            "-l",
            "info",
            "--concurrency",
            "2",
        ],
        "beat": [
            python,
            "-m",
            "celery",
            "-A",
            "orgmap",
            "beat",
            "-l",
            "info",
            "-s",
            settings.CELERY_BEAT_SCHEDULE_FILENAME,
        ],
    }


def _stop(children: dict[str, subprocess.Popen]) -> None:
    for name, child in children.items():
        if child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                if name == "web":
                    # runserver's reloader does not pass SIGTERM on to the server it runs.
                    os.killpg(child.pid, signal.SIGTERM)
                else:
                    # Celery stops its own pool on SIGTERM (a warm shutdown).
                    child.terminate()
    deadline = time.monotonic() + SHUTDOWN_GRACE_SECONDS
    for name, child in children.items():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop in time; killing it", flush=True)
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        # Whatever the process left behind in its group (a pool worker, the reloaded
        # server) goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orgmap.settings")
    import django

    django.setup()
    address = settings.ORGMAP_ADDRESS
    children: dict[str, subprocess.Popen] = {}
    # Ctrl-C reaches this process only; we stop the children ourselves.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        for name, command in _commands(address).items():
            children[name] = subprocess.Popen(command, start_new_session=True)
        print(
            f"orgmap is running at http://{address}/ (Ctrl-C stops web, worker and beat)",
            flush=True,
        )
        while True:
            for name, child in children.items():
                if child.poll() is not None:
                    print(
                        f"{name} exited with code {child.returncode}; stopping the others",
                        flush=True,
                    )
                    return child.returncode or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping web, worker and beat…", flush=True)
        return 0
    finally:
        _stop(children)


if __name__ == "__main__":
    sys.exit(main())
