"""HTML to PDF with WeasyPrint, in the calling process, with a time limit.

Rendering happens where it is asked for: in the gunicorn worker for a single role's
download, in the Celery worker for a bulk export. Nothing forks: Celery's prefork pool
runs tasks in daemonic processes, which may not have children.

What is expensive is set up once per process and kept: WeasyPrint's font
configuration (Pango's font map, which loads and indexes the fonts, among them the large
Noto Sans CJK collection) and the URL fetcher (whose constructor builds an SSL context
from the system's certificates). `warm_up()` pays for both ahead of the first document;
the Celery worker calls it when each pool process starts.

The time limit is a SIGALRM timer on the main thread, the same mechanism Celery's own
soft time limit uses: the exception is raised inside WeasyPrint's Python code, which
then unwinds. Gunicorn's sync workers and Celery's prefork pool both run requests and
tasks on the main thread. Elsewhere (a threaded development server) a signal cannot be
delivered to the rendering thread, so the document renders without a limit there.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

_state = threading.local()


class PdfRenderError(RuntimeError):
    """A document could not be rendered."""


class PdfRenderTimeout(PdfRenderError):
    """A document took longer than its time limit; nothing was produced."""


def _static_root_dirs() -> list[Path]:
    return [Path(path).resolve() for path in settings.STATICFILES_DIRS]


def make_url_fetcher():
    """WeasyPrint fetches nothing but the project's own static files: no network, no
    other local files, whatever a description's text contains."""
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file://"):
                path = Path(url.removeprefix("file://").split("?")[0]).resolve()
                if any(path.is_relative_to(root) for root in _static_root_dirs()):
                    return super().fetch(url, headers)
            raise ValueError(f"orgmap does not fetch {url} for a PDF")

    return StaticOnlyFetcher(allowed_protocols=["file"])


def _tools():
    """This thread's font configuration and URL fetcher, made on first use. Per thread,
    not per process, because Pango's font map is not meant to be shared between threads."""
    tools = getattr(_state, "tools", None)
    if tools is None:
        from weasyprint.text.fonts import FontConfiguration

        tools = (FontConfiguration(), make_url_fetcher())
        _state.tools = tools
    return tools


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise PdfRenderTimeout in the block once `seconds` have passed (main thread only;
    elsewhere the block runs unbounded)."""
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def expire(signum, frame):
        raise PdfRenderTimeout(f"PDF rendering took longer than {seconds:g} seconds")

    previous = signal.signal(signal.SIGALRM, expire)
    # Fires again every second: should WeasyPrint swallow the exception somewhere (it
    # catches errors around URL fetching, for one), the next one gets through.
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_pdf(html: str, *, timeout: float | None = None) -> bytes:
    """The PDF of `html`, or PdfRenderTimeout after `timeout` seconds (default
    PDF_RENDER_TIMEOUT_SECONDS), or PdfRenderError if WeasyPrint fails."""
    from weasyprint import HTML

    timeout = settings.PDF_RENDER_TIMEOUT_SECONDS if timeout is None else timeout
    font_config, url_fetcher = _tools()
    base_url = _static_root_dirs()[0].as_uri() + "/"
    try:
        with time_limit(timeout):
            return HTML(string=html, base_url=base_url, url_fetcher=url_fetcher).write_pdf(
                font_config=font_config
            )
    except PdfRenderError:
        raise
    except Exception as error:
        raise PdfRenderError(f"{error.__class__.__name__}: {error}") from error


WARM_UP_HTML = (
    "<html><head><style>body {{ font-family: {family}; }}</style></head>"
    "<body><h1>orgmap</h1><p>Role 角色</p><p><b>R</b> A C I</p></body></html>"
)


def warm_up(font_family: str) -> float:
    """Load the fonts and build the fetcher now, so that the first real document does not
    pay for them. Returns the seconds it took."""
    started = time.perf_counter()
    try:
        render_pdf(WARM_UP_HTML.format(family=font_family), timeout=0)
    except PdfRenderError:
        # Not fatal: the first real document will report the problem to its user.
        logger.warning("PDF warm-up failed", exc_info=True)
    return time.perf_counter() - started
