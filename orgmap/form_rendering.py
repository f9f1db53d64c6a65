"""How forms render: Django's own form templates (field groups, labels, every built-in
widget, error lists) through Jinja2, which Django ships them for, and any other (the
admin's widgets) through the Django template engine.

Django renders each field and each widget of a form through a template; on the Django
template engine that made a five-field form most of the cost of the profile page (14 ms
of its 17 on the O*NET benchmark machine), on Jinja2 the same markup costs a third of
that (docs/decisions.md). The markup is the same but for blank lines between fields
and an apostrophe escaped as &#39; (Django's escape writes &#x27;).
"""

from __future__ import annotations

from pathlib import Path

import django.forms
from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    """settings.FORM_RENDERER: Jinja2 where Django has a Jinja2 template, else the
    Django template engine."""

    def __init__(self) -> None:
        self.jinja2 = Jinja2()
        self.django = DjangoTemplates()

    def get_template(self, template_name: str):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)


def form_template_names() -> list[str]:
    """The names of Django's Jinja2 form templates, for the warm-up."""
    folder = Path(django.forms.__file__).parent / "jinja2"
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.html"))
