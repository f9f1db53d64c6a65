"""A real SMTP server on localhost for the tests (aiosmtpd), which can refuse mail."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """Keeps what it accepts; refuses the next `refusals` messages (-1: all) with a
    temporary error, as a full or overloaded mail server does. Counts the
    connections that carried mail (one SMTP session each)."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.recipients: list[str] = []
        self.refusals = 0
        self.refused = 0
        self._sessions: list = []
        self._lock = threading.Lock()

    @property
    def connections(self) -> int:
        return len(self._sessions)

    async def handle_DATA(self, server, session, envelope) -> str:
        with self._lock:
            if not any(seen is session for seen in self._sessions):
                self._sessions.append(session)
            if self.refusals:
                self.refusals -= 1 if self.refusals > 0 else 0
                self.refused += 1
                return "451 4.3.0 Mail server temporarily unavailable"
            self.messages.append(envelope.original_content or envelope.content)
            self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


@contextlib.contextmanager
def smtp_server(port: int | None = None) -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = port or free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def smtp_mailers(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
