"""Search finds duties, roles, departments, projects and people, in English and
Chinese, forgiving small typos; a duty result names its A and R roles and people."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from orgmap.models import Department, Role, RoleHolder
from responsibilities import raci
from responsibilities.models import Assignment, Duty
from responsibilities.search import my_responsibilities, search
from responsibilities.services import duty_create

pytestmark = pytest.mark.django_db


def test_finds_a_duty_with_its_accountable_and_responsible_people(demo_duties):
    results = search("sales forecast")
    hit = results.duties[0]
    assert hit.title == "Maintain the sales forecast"
    assert hit.department.code == "SALES"
    assert [owner.title for owner in hit.accountable] == ["Head of Sales"]
    assert [owner.title for owner in hit.responsible] == ["Sales Operations Analyst"]
    [holder] = hit.accountable[0].holders
    assert holder.username == "sales_manager"
    assert holder.name == get_user_model().objects.get(username="sales_manager").profile.name


def test_tolerates_a_typo(demo_duties):
    titles = [hit.title for hit in search("forcast").duties]
    assert "Maintain the sales forecast" in titles
    titles = [hit.title for hit in search("prototpyes").duties]
    assert "Verify prototypes" in titles


def test_the_page_says_which_spellings_it_searched_for_instead(member, client_for, demo_duties):
    results = search("forcast")
    assert [typed for typed, _close in results.corrections] == ["forcast"]
    assert "forecast" in results.corrections[0][1]
    assert search("forecast").corrections == []
    client = client_for(member)
    page = client.get(reverse("search"), {"q": "sales forcast"})
    assert "Nothing matched exactly; showing close spellings: “forcast” → forecast" in page.text
    assert "close spellings" not in client.get(reverse("search"), {"q": "forecast"}).text


def test_finds_chinese_text(demo_duties):
    finance = Department.objects.get(code="FIN")
    duty = duty_create(title="编制月度财务报告", department=finance)
    Assignment.objects.create(
        duty=duty,
        role=Role.objects.get(title="Accountant"),
        letter=raci.AR,
        updated_at=duty.created_at,
    )
    assert [hit.title for hit in search("财务报告").duties] == ["编制月度财务报告"]
    people = search("王芳").people
    assert [person.username for person in people] == ["wang.fang"]


def test_finds_roles_departments_projects_and_people(demo_duties):
    results = search("sales")
    assert "Head of Sales" in [role.title for role in results.roles]
    assert {"SALES", "SALES-N", "SALES-S"} <= {d.code for d in results.departments}
    assert [p.code for p in search("launch").projects] == ["LAUNCH"]
    assert [p.username for p in search("priya").people] == ["production_manager"]


def test_inactive_duties_are_not_found(demo_duties):
    Duty.objects.filter(title="Verify prototypes").update(active=False)
    assert "Verify prototypes" not in [hit.title for hit in search("prototypes").duties]


def test_short_or_empty_queries_find_nothing(demo_duties):
    assert search("").count == 0 and search("a").count == 0 and search("  ").count == 0


def test_search_page_and_live_results(member, client_for, demo_duties):
    client = client_for(member)
    page = client.get(reverse("search"), {"q": "complaints"})
    assert page.status_code == 200
    assert "Pass customer complaints to Production" in page.text
    assert "nobody accountable" in page.text
    live = client.get(
        reverse("search"), {"q": "complaints", "live": "1"}, headers={"HX-Request": "true"}
    )
    # The header's combobox gets its listbox alone, not a page.
    assert live.text.lstrip().startswith('<ul role="listbox" id="live-search-listbox"')
    assert "Service Agent" in live.text and "member@example.com" in live.text


def test_search_page_cost_does_not_grow(
    member, client_for, demo_duties, django_assert_max_num_queries
):
    client = client_for(member)
    sales = Department.objects.get(code="SALES")
    head = Role.objects.get(title="Head of Sales")
    for index in range(40):
        duty = duty_create(title=f"Sales follow-up {index}", department=sales)
        Assignment.objects.create(duty=duty, role=head, letter=raci.A, updated_at=duty.created_at)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("search"), {"q": "sales"})
    assert response.status_code == 200


def test_my_responsibilities_lists_what_my_roles_hold(member, client_for, demo_duties):
    grouped = my_responsibilities(member)  # member is a Service Agent
    assert [a.duty.title for a in grouped["R"]] == [
        "Answer customer requests",
        "Pass customer complaints to Production",
    ]
    response = client_for(member).get(reverse("my-responsibilities"))
    assert "Answer customer requests" in response.text


def test_my_responsibilities_ignores_ended_roles(member, demo_duties):
    RoleHolder.objects.filter(person=member).update(until="2024-06-01")
    assert not any(my_responsibilities(member).values())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
def test_full_text_search_finds_other_word_forms_on_postgresql(demo_duties):
    # "Maintain the sales forecast": stemming matches "forecasting" and "maintaining".
    assert "Maintain the sales forecast" in [
        hit.title for hit in search("forecasting maintaining").duties
    ]


def test_a_duty_owner_is_written_with_its_holders_escaped_or_as_vacant():
    import datetime

    from django.utils import translation

    from responsibilities.templatetags.raci_tags import search_owner
    from tests import factories

    department = factories.DepartmentFactory(name="R&D <lab>", code="RND")
    role = factories.RoleFactory(department=department, title='Chemist "A"')
    duty = factories.DutyFactory(department=department, title="Distil the samples")
    anna = factories.UserFactory(username="anna", email="anna@example.com", display_name="Anna <b>")
    anna.profile.phone = "+44 1 & 2"
    anna.profile.save()
    bo = factories.UserFactory(username="bo", email="", first_name="Bo", last_name="Li")
    gone = factories.UserFactory(username="gone", display_name="Gone")
    factories.RoleHolderFactory(role=role, person=anna, since=datetime.date(2023, 1, 1))
    factories.RoleHolderFactory(role=role, person=bo, since=datetime.date(2024, 1, 1))
    factories.RoleHolderFactory(role=role, person=gone, until=datetime.date(2024, 6, 1))
    factories.AssignmentFactory(duty=duty, role=role, letter=raci.A)

    [hit] = search("distil").duties
    [owner] = hit.accountable
    assert hit.responsible == []
    assert search_owner(owner) == (
        f'<span class="owner"><a href="/roles/{role.pk}/">Chemist &quot;A&quot;</a>'
        ' <span class="muted">(R&amp;D &lt;lab&gt;)</span>:\n'
        '<a href="/people/anna/">Anna &lt;b&gt;</a>'
        ' <a class="small" href="mailto:anna@example.com">anna@example.com</a>'
        ' <span class="small">+44 1 &amp; 2</span>; <a href="/people/bo/">Bo Li</a></span>\n'
    )
    assert search_owner(owner, plain=True) == (
        "Chemist &quot;A&quot; (R&amp;D &lt;lab&gt;): Anna &lt;b&gt; anna@example.com, Bo Li"
    )
    owner.holders = []
    with translation.override("zh-hans"):
        assert search_owner(owner).endswith(
            ':\n<span class="badge badge-warn">空缺</span></span>\n'
        )
        assert search_owner(owner, plain=True).endswith("): 空缺")


def test_results_name_people_and_the_roles_they_hold_now():
    import datetime

    from tests import factories

    lab = factories.DepartmentFactory(name="Lab", code="LAB")
    chemist = factories.RoleFactory(department=lab, title="Chemist")
    retired = factories.RoleFactory(department=lab, title="Lab assistant")
    factories.RoleFactory(department=lab, title="Chemist trainee")
    factories.RoleFactory(department=lab, title="Chemist emeritus", active=False)
    ming = factories.UserFactory(username="ming", first_name="", last_name="")
    factories.UserFactory(username="mingxia", display_name="Ming Xia", is_active=False)
    factories.RoleHolderFactory(role=chemist, person=ming)
    factories.RoleHolderFactory(role=retired, person=ming, until=datetime.date(2024, 6, 1))

    [person] = search("ming").people
    assert (person.username, person.name, person.email) == ("ming", "ming", "ming@example.com")
    assert person.id == ming.pk and person.url == "/people/ming/"
    assert person.holdings == [("Chemist", "Lab")]
    roles = search("chemist").roles
    assert [(role.title, role.department.code) for role in roles] == [
        ("Chemist", "LAB"),
        ("Chemist trainee", "LAB"),
    ]
    assert [holder.username for holder in roles[0].holders] == ["ming"]
    assert roles[1].holders == []
