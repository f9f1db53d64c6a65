"""The read pages: overview, department, role, person, and who may open them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orgmap.models import Department, Role, RoleHolder

# These tests read the demo organisation (names, roles and grants); see docs/decisions.md.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org")]


def test_anonymous_is_sent_to_login(demo_org, client_for):
    response = client_for(None).get(reverse("org-overview"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_public(client_for, db):
    assert client_for(None).get(reverse("login")).status_code == 200


def test_overview_shows_departments_with_counts(member, client_for):
    response = client_for(member).get(reverse("org-overview"))
    assert response.status_code == 200
    nodes = {node.department.code: node for node in response.context["nodes"]}
    assert set(nodes) >= {"SALES", "SALES-N", "SALES-S", "PROD", "RND", "MKT", "FIN", "CS", "PMO"}
    south = nodes["SALES-S"]
    assert (south.roles, south.people, south.vacancies) == (2, 1, 1)
    assert nodes["SALES-N"].depth == 1
    # Inactive roles are neither counted as roles nor as vacancies.
    assert (nodes["HR"].roles, nodes["HR"].vacancies) == (1, 0)
    # A member sees no control to create departments.
    assert "New department" not in response.text


def test_overview_cost_does_not_grow_with_the_organisation(
    member, client_for, django_assert_max_num_queries
):
    client = client_for(member)
    with django_assert_max_num_queries(8) as small:
        client.get(reverse("org-overview"))
    for index in range(40):
        department = Department.objects.create(name=f"Dept {index}", code=f"D{index}")
        role = Role.objects.create(title=f"Role {index}", department=department)
        RoleHolder.objects.create(role=role, person=member)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("org-overview"))
    assert "Dept 39" in response.text


def test_department_page_counts_only_its_sub_departments(member, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(member)
    with CaptureQueriesContext(connection) as parent:
        response = client.get(reverse("department-detail", args=["sales"]))
    children = {node.department.code: node for node in response.context["children"]}
    assert set(children) == {"SALES-N", "SALES-S"}
    south = children["SALES-S"]
    assert (south.roles, south.people, south.vacancies) == (2, 1, 1)
    counts = [q["sql"] for q in parent.captured_queries if "COUNT(DISTINCT" in q["sql"]]
    assert len(counts) == 1 and "IN (" in counts[0]  # the children's, not everybody's
    with CaptureQueriesContext(connection) as leaf:
        assert client.get(reverse("department-detail", args=["sales-s"])).status_code == 200
    assert not any("COUNT(DISTINCT" in q["sql"] for q in leaf.captured_queries)


def test_department_page_lists_roles_holders_and_sub_departments(member, client_for):
    response = client_for(member).get(reverse("department-detail", args=["sales"]))
    assert response.status_code == 200
    assert "Head of Sales" in response.text and "Sam Sales" in response.text
    assert "North Sales" in response.text and "South Sales" in response.text
    assert "Edit department" not in response.text


def test_department_page_cost_is_constant(member, client_for, django_assert_max_num_queries):
    sales = Department.objects.get(code="SALES")
    client = client_for(member)
    with django_assert_max_num_queries(30) as small:
        client.get(reverse("department-detail", args=["SALES"]))
    for index in range(30):
        role = Role.objects.create(title=f"Seller {index}", department=sales)
        RoleHolder.objects.create(role=role, person=member)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("department-detail", args=["SALES"]))


def test_department_page_reads_the_organisation_tree_once(
    member, client_for, django_assert_max_num_queries
):
    """The breadcrumbs and the editors (grants inherited from above) share one read of
    every department's parent."""
    client = client_for(member)
    with django_assert_max_num_queries(30) as page:
        client.get(reverse("department-detail", args=["SALES-N"]))
    tree_reads = [
        query["sql"]
        for query in page.captured_queries
        if '"parent_id" AS "parent_id" FROM "orgmap_department"' in query["sql"]
    ]
    assert len(tree_reads) == 1, tree_reads


def test_manager_sees_edit_controls_on_own_department_only(sales_manager, client_for):
    client = client_for(sales_manager)
    assert "Edit department" in client.get(reverse("department-detail", args=["SALES-N"])).text
    assert "Edit department" not in client.get(reverse("department-detail", args=["PROD"])).text


def test_unknown_department_is_404(member, client_for):
    assert client_for(member).get(reverse("department-detail", args=["NOPE"])).status_code == 404


def test_role_page_shows_purpose_reports_to_and_holders(member, client_for):
    role = Role.objects.get(title="North Sales Representative")
    response = client_for(member).get(reverse("role-detail", args=[role.pk]))
    assert response.status_code == 200
    assert "Sells to customers in the northern region." in response.text
    assert "North Regional Sales Manager" in response.text
    assert "王芳" in response.text
    assert "Add holder" not in response.text


def test_vacant_role_says_so(member, client_for):
    role = Role.objects.get(title="South Sales Representative")
    assert (
        "Nobody holds this role at present."
        in client_for(member).get(reverse("role-detail", args=[role.pk])).text
    )


def test_person_page_lists_roles(member, client_for):
    response = client_for(member).get(reverse("person-detail", args=["maria.rossi"]))
    assert "Line Supervisor" in response.text and "Quality Inspector" in response.text


def test_profile_sets_language(member, client_for):
    client = client_for(member)
    response = client.post(
        reverse("profile"), {"display_name": "Max M.", "language": "zh-hans", "phone": ""}
    )
    assert response.status_code == 302
    member.profile.refresh_from_db()
    assert member.profile.language == "zh-hans"
    assert response.cookies["django_language"].value == "zh-hans"


def test_profile_rejects_unknown_language(member, client_for):
    response = client_for(member).post(
        reverse("profile"), {"display_name": "", "language": "xx", "phone": ""}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text


def test_page_titles_are_plain_text(member, client_for, demo_duties):
    import re

    for url in [
        reverse("department-detail", args=["SALES"]),
        reverse("project-detail", args=["LAUNCH"]),
    ]:
        title = re.search(r"<title>(.*?)</title>", client_for(member).get(url).text, re.S).group(1)
        assert "<" not in title and len(title) < 80, title


def test_the_profile_language_is_spoken_after_login(member, client_for):
    member.profile.language = "zh-hans"
    member.profile.save(update_fields=["language"])
    response = client_for(member).get(reverse("org-overview"), headers={"Accept-Language": "en"})
    assert response.wsgi_request.LANGUAGE_CODE == "zh-hans"
    assert '<html lang="zh-hans">' in response.text


def test_without_a_profile_language_the_browser_language_is_spoken(member, client_for):
    assert member.profile.language == ""
    response = client_for(member).get(
        reverse("org-overview"), headers={"Accept-Language": "zh-Hans"}
    )
    assert response.wsgi_request.LANGUAGE_CODE == "zh-hans"
    assert "组织架构" in response.text
    assert member.profile.preferred_language == "en"  # what emails fall back to
