"""Forms render through orgmap/form_rendering.py: Django's own form templates by Jinja2,
anything else (the admin's widgets) by the Django template engine; the markup is the
Django engine's but for blank lines."""

from __future__ import annotations

import re

import pytest
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template import TemplateDoesNotExist
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template
from django.urls import reverse

from orgmap.form_rendering import FormRenderer, form_template_names
from orgmap.forms import ProfileForm
from responsibilities.forms import DutyForm
from tests import factories


def _squeezed(html: str) -> str:
    """The markup without blank lines, with an apostrophe written as Django escapes it
    (Jinja2's markupsafe writes &#39;, Django &#x27;: the same character)."""
    html = html.replace("&#39;", "&#x27;")
    return "\n".join(line.strip() for line in html.splitlines() if line.strip())


def test_the_default_renderer_takes_django_form_templates_from_jinja2_and_others_from_django():
    renderer = get_default_renderer()
    assert isinstance(renderer, FormRenderer)
    assert "django/forms/field.html" in form_template_names()
    assert isinstance(renderer.get_template("django/forms/field.html"), Jinja2Template)
    assert isinstance(renderer.get_template("django/forms/widgets/select.html"), Jinja2Template)
    # The admin ships its widgets' templates for the Django engine only.
    admin_widget = renderer.get_template("admin/widgets/related_widget_wrapper.html")
    assert isinstance(admin_widget, DjangoTemplate)
    with pytest.raises(TemplateDoesNotExist):
        renderer.get_template("django/forms/no-such-template.html")


@pytest.mark.django_db
def test_forms_render_the_markup_of_the_django_engine(settings):
    department = factories.DepartmentFactory(code="SALES", name="Sales & <Co>")
    project = factories.ProjectFactory(code="P1", name="Launch <b> it's", departments=[department])
    bound = {"title": "", "project": str(project.pk), "frequency": "x" * 500}
    for make in (
        lambda renderer: DutyForm(department=department, renderer=renderer),
        lambda renderer: DutyForm(bound, department=department, renderer=renderer),
        lambda renderer: ProfileForm(initial={"time_zone": "Asia/Shanghai"}, renderer=renderer),
    ):
        ours, djangos = make(FormRenderer()), make(DjangoTemplates())
        assert _squeezed(str(ours)) == _squeezed(str(djangos))
    errors = str(DutyForm(bound, department=department))
    assert "Give the duty a title." in errors
    assert "Launch &lt;b&gt; it&#39;s" in errors and "<b>" not in errors  # Jinja2's escape


@pytest.mark.django_db
def test_an_admin_form_with_the_admins_own_widgets_renders(admin_user, client_for):
    role = factories.RoleFactory(title="Clerk")
    response = client_for(admin_user).get(reverse("admin:orgmap_role_change", args=[role.pk]))
    assert response.status_code == 200
    assert re.search(r'class="related-widget-wrapper"', response.text)
