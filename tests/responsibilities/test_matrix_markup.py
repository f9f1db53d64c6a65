"""What the matrix, role and search pages say to a screen reader and where warnings go
(issue 14): grid semantics, flags without hover, the stale edit's warning beside the cell,
departments on a project matrix, the live search as a listbox."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from orgmap.models import Project, Role
from responsibilities.models import Assignment, Duty
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def test_matrix_is_a_grid_whose_cells_point_at_the_row_flags(
    sales_manager, client_for, demo_duties
):
    page = client_for(sales_manager).get(reverse("department-matrix", args=["SALES"]))
    assert re.search(
        r'<table class="matrix" id="matrix" role="grid" aria-labelledby="matrix-heading"', page.text
    )
    duty = Duty.objects.get(title="Negotiate key customer contracts")
    head = Role.objects.get(title="Head of Sales")
    cell = re.search(rf'<td [^>]*id="cell-{duty.pk}-{head.pk}"[^>]*>(.*?)</td>', page.text).group(0)
    assert 'role="gridcell"' in cell and f'aria-describedby="flags-{duty.pk}"' in cell
    assert f'id="flags-{duty.pk}"' in page.text


def test_read_only_cells_label_the_cell_not_a_plain_span(member, client_for, demo_duties):
    page = client_for(member).get(reverse("department-matrix", args=["SALES"]))
    assert '<span class="cell-value" aria-label' not in page.text
    cell = re.search(
        r'<td class="cell[^"]*" id="cell-(\d+)-(\d+)" role="gridcell" [^>]*>', page.text
    )
    duty_id, role_id = cell.groups()
    # Named by the row's and the column's titles and the letter, all on the page.
    assert f'aria-labelledby="dt-{duty_id} rt-{role_id} lt-' in cell.group(0)
    assert f'id="dt-{duty_id}"' in page.text and f'id="rt-{role_id}"' in page.text
    assert '<span hidden id="lt-">' in page.text


def test_column_flags_open_without_hover(sales_manager, client_for, demo_duties):
    from orgmap.models import Department

    # A role without duties: its column carries a flag.
    Role.objects.create(department=Department.objects.get(code="SALES"), title="Idle role")
    page = client_for(sales_manager).get(reverse("department-matrix", args=["SALES"]))
    head = page.text.split("<thead>")[1].split("</thead>")[0]
    assert 'title="' not in head  # no message hidden in a tooltip
    assert '<details class="flag' in head  # the role's findings open with a key or a tap


def test_stale_edit_warning_is_shown_in_the_cell(
    sales_manager, admin_user, client_for, demo_duties
):
    duty = Duty.objects.get(title="Negotiate key customer contracts")
    north = Role.objects.get(title="North Regional Sales Manager")
    url = reverse("matrix-cell", args=[duty.pk, north.pk])
    version = Assignment.objects.get(duty=duty, role=north).version
    client_for(admin_user).post(url, {"letter": "C", "version": version}, headers=HTMX)
    response = client_for(sales_manager).post(
        url, {"letter": "I", "version": version}, headers=HTMX
    )
    assert response.status_code == 409
    cell = re.search(
        rf'<td [^>]*id="cell-{duty.pk}-{north.pk}".*?</td>', response.text, re.S
    ).group(0)
    assert 'class="cell-warning" role="alert"' in cell and "Your change was not applied" in cell
    # The top of the page no longer carries it (the old message is cleared).
    flash = re.search(r'<div id="flash" hx-swap-oob="innerHTML">(.*?)</div>', response.text, re.S)
    assert flash.group(1).strip() == ""


def test_project_matrix_shows_each_roles_department(coordinator, client_for):
    project = Project.objects.get(code="LAUNCH")
    rnd = factories.DepartmentFactory(code="RND")
    sales = factories.DepartmentFactory(code="SALES")
    duty = factories.DutyFactory(department=sales, project=project, title="Brief the launch")
    for department, title, letter in ((rnd, "Lab Lead", "A"), (sales, "Account Lead", "R")):
        role = factories.RoleFactory(department=department, title=title)
        factories.AssignmentFactory(duty=duty, role=role, letter=letter)
    page = client_for(coordinator).get(reverse("project-matrix", args=["LAUNCH"]))
    head = page.text.split("<thead>")[1].split("</thead>")[0]
    assert '<span class="dept-code">RND</span>' in head
    assert '<span class="dept-code">SALES</span>' in head


def test_live_search_answers_a_listbox_of_options(member, client_for, demo_duties):
    response = client_for(member).get(
        reverse("search"), {"q": "sales forec", "live": "1"}, headers=HTMX
    )
    assert '<ul role="listbox" id="live-search-listbox"' in response.text
    assert 'role="option"' in response.text and "Maintain the sales forecast" in response.text
    assert "<a " not in response.text.split('role="listbox"')[1]  # options hold no links


def test_header_search_is_a_combobox(member, client_for):
    page = client_for(member).get(reverse("org-overview"))
    field = re.search(r'<input id="header-q"[^>]*>', page.text, re.S).group(0)
    for attribute in ('role="combobox"', 'aria-expanded="false"', 'aria-controls="live-search"'):
        assert attribute in field


def test_role_page_never_says_shares_duties_with_nothing(hr, client_for, demo_duties):
    role = Role.objects.get(title="Finance Director")
    page = client_for(hr).get(reverse("role-detail", args=[role.pk]))
    assert not re.search(r"shares duties with\s*<", page.text)
    assert "shares duties with this role" in page.text or "Works with" not in page.text


def test_hr_sees_the_bulk_export_button(hr, member, client_for):
    factories.DepartmentFactory(code="SALES", name="Sales")
    for url in (reverse("org-overview"), reverse("department-detail", args=["SALES"])):
        assert reverse("bulk-export") in client_for(hr).get(url).text
        assert reverse("bulk-export") not in client_for(member).get(url).text
