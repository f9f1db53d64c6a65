"""What every web process would otherwise do on its first requests, done once in
gunicorn's master before it forks the workers (gunicorn.conf.py: `preload_app`,
`when_ready`): import every view through the URL configuration, compile the project's
templates into the cached template loader, read both languages' message catalogues, and
import what the cache and the task queue load on first use (redis-py, kombu's transport,
Celery's tasks).

A worker forked afterwards starts with all of it in memory (shared with the master until
written to), so its first matrix page, search or cell edit costs what the later ones do.
Without it each of the five workers paid 40–50 ms on its first request of each kind, and
200–500 ms on its first cell edit (importing redis-py and kombu's Redis transport), again
whenever it was recycled (every ~2,000 requests; docs/production.md).

Nothing here opens a database, cache or broker connection: a socket opened in the master
would be shared by every worker (gunicorn.conf.py's `post_fork` closes any database
connection all the same; redis-py's pools notice a fork by themselves).
"""

from __future__ import annotations

import logging
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.core.cache import caches
from django.forms.renderers import get_default_renderer
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template
from django.urls import get_resolver
from django.utils import translation

from .form_rendering import form_template_names

log = logging.getLogger(__name__)


def project_templates() -> list[str]:
    """The names of the project's own templates (the `templates/` folders of
    settings.TEMPLATES)."""
    names = []
    for engine in settings.TEMPLATES:
        for folder in map(Path, engine.get("DIRS", [])):
            names += sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.html"))
    return names


def warm() -> dict[str, int]:
    """Load what the first requests would; returns what was loaded, for the log."""
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports every view module
    resolver.reverse_dict  # noqa: B018 - builds the table `{% url %}` reads
    templates = 0
    for name in project_templates():
        try:
            get_template(name)
        except (TemplateDoesNotExist, TemplateSyntaxError):  # pragma: no cover - a broken
            log.exception("template %s could not be compiled", name)  # template: say so
        else:
            templates += 1
    renderer = get_default_renderer()
    form_templates = 0
    for name in form_template_names():  # Django's form templates, compiled by Jinja2
        renderer.get_template(name)
        form_templates += 1
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Search")  # reads the catalogue of this language
    for alias in settings.CACHES:
        # Django's Redis cache imports redis-py when first used; it connects later.
        getattr(caches[alias], "_cache", None)
    app = current_app._get_current_object()
    app.tasks  # noqa: B018 - finalises the app: every task registered
    app.amqp.send_task_message  # noqa: B018 - what `delay()` sends a message with
    app.backend  # noqa: B018 - the result backend, found through the entry points
    app.connection_for_write().transport  # noqa: B018 - imports the broker's transport
    return {
        "templates": templates,
        "form_templates": form_templates,
        "languages": len(settings.LANGUAGES),
    }
