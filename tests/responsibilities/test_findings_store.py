"""Stored findings stay equal to a full recomputation, whatever is written.

The state machine applies random sequences of every kind of write that can change a
finding (through the same services, model saves and deletes the app uses) and checks
after each step that the stored findings, in both languages, equal the findings
computed from scratch by raci.py.
"""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.utils import timezone, translation
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from orgmap import services as org_services
from orgmap.models import Department, Project, Role, RoleHolder
from responsibilities import (
    findings_facts,
    findings_rebuild,
    findings_store,
    raci,
    selectors,
    services,
)
from responsibilities.attestation import services as attestation
from responsibilities.attestation import versions as role_versions
from responsibilities.attestation.models import ConfirmationRequest
from responsibilities.models import Assignment, Duty, Finding, InformationFlow
from tests.factories import (
    DepartmentFactory,
    DutyFactory,
    ProjectFactory,
    RoleFactory,
    RoleHolderFactory,
)
from tests.factories import UserFactory as PersonFactory

pytestmark = pytest.mark.django_db

TITLES = ["Plan the budget", "plan the budget!", "Ship orders", "Hire staff", "Close the books"]
LETTERS = [None, raci.R, raci.A, raci.C, raci.I, raci.AR]
index = st.integers(min_value=0, max_value=50)


def _pick(queryset, i: int):
    items = list(queryset.order_by("pk"))
    return items[i % len(items)] if items else None


def _attempt(write) -> None:
    """Run one write in a savepoint; a write the database or validation refuses (a
    duplicate title, a cycle) changes nothing, like a refused form."""
    try:
        with transaction.atomic():
            write()
    except (IntegrityError, ValidationError):
        pass


def assert_stored_equals_recomputed() -> None:
    for language in ("en", "zh-hans"):
        with translation.override(language):
            stored = selectors.stored_findings(selectors.Scope())
            computed = findings_facts.computed_findings(selectors.Scope())
        assert stored == computed, language


class StoredFindings(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.savepoint_create()
        top = DepartmentFactory(code="TOP")
        sales = DepartmentFactory(code="SALES", parent=top)
        DepartmentFactory(code="OPS")
        head = RoleFactory(department=sales, title="Head of Sales")
        sales.head = head
        sales.save()
        RoleHolderFactory(role=head)
        RoleFactory(department=sales, title="Seller")
        RoleFactory(department=top, title="Director")
        RoleFactory(department=Department.objects.get(code="OPS"), title="Planner")
        ProjectFactory(code="LAUNCH").departments.add(sales)
        DutyFactory(department=sales, title="Plan the budget")
        DutyFactory(department=top, title="Ship orders")
        self.person = PersonFactory()

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.savepoint)

    @invariant()
    def stored_equals_recomputed(self) -> None:
        assert_stored_equals_recomputed()

    # ------------------------------------------------------------ cells

    @rule(d=index, r=index, letter=st.sampled_from(LETTERS))
    def set_cell(self, d, r, letter) -> None:
        duty, role = _pick(Duty.objects, d), _pick(Role.objects, r)
        if duty is None or role is None:
            return
        version = (
            Assignment.objects.filter(duty=duty, role=role)
            .values_list("version", flat=True)
            .first()
            or 0
        )
        services.assignment_set(
            duty=duty, role=role, letter=letter, expected_version=version, by=None
        )

    # ------------------------------------------------------------ duties

    @rule(dept=index, title=st.sampled_from(TITLES), project=st.booleans())
    def create_duty(self, dept, title, project) -> None:
        department = _pick(Department.objects, dept)
        launch = Project.objects.first() if project else None
        _attempt(lambda: services.duty_create(title=title, department=department, project=launch))

    @rule(d=index, title=st.sampled_from(TITLES))
    def rename_duty(self, d, title) -> None:
        if duty := _pick(Duty.objects, d):
            duty.title = title
            _attempt(lambda: (duty.full_clean(), duty.save()))

    @rule(d=index, dept=index)
    def move_duty(self, d, dept) -> None:
        if duty := _pick(Duty.objects, d):
            duty.department = _pick(Department.objects, dept)
            _attempt(lambda: (duty.full_clean(), duty.save(update_fields=["department"])))

    @rule(d=index)
    def toggle_duty(self, d) -> None:
        if duty := _pick(Duty.objects, d):
            duty.active = not duty.active
            duty.save()

    @rule(d=index, project=st.booleans())
    def set_duty_project(self, d, project) -> None:
        if duty := _pick(Duty.objects, d):
            duty.project = Project.objects.first() if project else None
            _attempt(lambda: (duty.full_clean(), duty.save()))

    @rule(d=index)
    def delete_duty(self, d) -> None:
        if duty := _pick(Duty.objects, d):
            duty.delete()

    # ------------------------------------------------------------ roles and holders

    @rule(dept=index)
    def create_role(self, dept) -> None:
        RoleFactory(department=_pick(Department.objects, dept))

    @rule(r=index)
    def toggle_role(self, r) -> None:
        if role := _pick(Role.objects, r):
            role.active = not role.active
            role.save(update_fields=["active"])

    @rule(r=index, title=st.sampled_from(["Analyst", "Buyer", "Clerk"]))
    def rename_role(self, r, title) -> None:
        if role := _pick(Role.objects, r):
            role.title = title
            _attempt(role.save)

    @rule(r=index, dept=index)
    def move_role(self, r, dept) -> None:
        if role := _pick(Role.objects, r):
            role.department = _pick(Department.objects, dept)
            _attempt(role.save)

    @rule(r=index)
    def delete_role(self, r) -> None:
        if role := _pick(Role.objects, r):
            role.delete()

    @rule(r=index, days_ago=st.integers(min_value=-3, max_value=30))
    def add_holder(self, r, days_ago) -> None:
        if role := _pick(Role.objects, r):
            since = timezone.localdate() - datetime.timedelta(days=days_ago)
            _attempt(
                lambda: org_services.role_holder_add(role=role, person=self.person, since=since)
            )

    @rule(h=index)
    def end_holding(self, h) -> None:
        if holding := _pick(RoleHolder.objects.filter(until__isnull=True), h):
            until = max(timezone.localdate(), holding.since + datetime.timedelta(days=1))
            org_services.role_holder_end(holding=holding, until=until)

    @rule(h=index)
    def delete_holding(self, h) -> None:
        if holding := _pick(RoleHolder.objects, h):
            holding.delete()

    # ------------------------------------------------------------ departments, projects, flows

    @rule(dept=index, r=index, clear=st.booleans())
    def set_head(self, dept, r, clear) -> None:
        department = _pick(Department.objects, dept)
        department.head = None if clear else _pick(Role.objects, r)
        department.save()

    @rule(dept=index, code=st.sampled_from(["ALPHA", "BETA", "GAMMA"]))
    def recode_department(self, dept, code) -> None:
        department = _pick(Department.objects, dept)
        department.code = code
        _attempt(department.save)

    @rule(dept=index, parent=index, clear=st.booleans())
    def move_department(self, dept, parent, clear) -> None:
        from orgmap.selectors import department_descendant_ids

        department = _pick(Department.objects, dept)
        new_parent = None if clear else _pick(Department.objects, parent)
        if new_parent is not None and new_parent.pk in department_descendant_ids({department.pk}):
            return  # the form refuses a cycle
        department.parent = new_parent
        department.save()

    @rule(code=st.sampled_from(["LAUNCH", "ROLLOUT"]))
    def recode_project(self, code) -> None:
        project = Project.objects.first()
        project.code = code
        project.save()

    @rule(dept=index, add=st.booleans())
    def project_departments(self, dept, add) -> None:
        project, department = Project.objects.first(), _pick(Department.objects, dept)
        (project.departments.add if add else project.departments.remove)(department)

    @rule(first=index, second=index)
    def add_flow(self, first, second) -> None:
        source, target = _pick(Department.objects, first), _pick(Department.objects, second)
        if source != target:
            InformationFlow.objects.create(
                from_department=source,
                to_department=target,
                information="orders",
                channel="email",
                frequency="daily",
            )

    @rule(f=index)
    def toggle_flow(self, f) -> None:
        if flow := _pick(InformationFlow.objects, f):
            flow.active = not flow.active
            flow.save()

    @rule(f=index, dept=index)
    def redirect_flow(self, f, dept) -> None:
        if flow := _pick(InformationFlow.objects, f):
            flow.to_department = _pick(Department.objects, dept)
            _attempt(flow.save)

    @rule(f=index)
    def delete_flow(self, f) -> None:
        if flow := _pick(InformationFlow.objects, f):
            flow.delete()

    # ------------------------------------------------------------ confirmations (issue 16)

    @rule(r=index)
    def confirmations_fall_due(self, r) -> None:
        """A role's holders are asked (a new version), then time passes beyond the due
        date with no write, and the hourly sweep runs (UNCONFIRMED_ACCOUNTABILITY)."""
        if role := _pick(Role.objects, r):
            role_versions.record_versions({role.pk})
            yesterday = timezone.localdate() - datetime.timedelta(days=1)
            ConfirmationRequest.objects.filter(
                role=role, status__in=ConfirmationRequest.OPEN
            ).update(due_on=yesterday)
            attestation.confirmations_sweep()

    @rule(q=index, accept=st.booleans())
    def answer_confirmation(self, q, accept) -> None:
        open_requests = ConfirmationRequest.objects.filter(
            status=ConfirmationRequest.Status.PENDING
        )
        if request := _pick(open_requests.select_related("person"), q):
            attestation.confirmation_answer(
                request_id=request.pk, person=request.person, accept=accept, question="Why?"
            )

    @rule(r=index, purpose=st.sampled_from(["Sell.", "Sell more."]))
    def change_purpose(self, r, purpose) -> None:
        """A new version supersedes the open (perhaps overdue) requests."""
        if role := _pick(Role.objects, r):
            role.purpose = purpose
            role.save()
            role_versions.record_versions({role.pk})


def test_stored_findings_equal_a_full_recomputation_after_every_write():
    run_state_machine_as_test(
        StoredFindings,
        settings=settings(
            max_examples=15,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


# ---------------------------------------------------------------- rebuild and limits


def _rebuild() -> str:
    out = StringIO()
    call_command("findings", "--rebuild", stdout=out)
    return out.getvalue()


def test_rebuild_reports_and_corrects_what_differs():
    department = DepartmentFactory(code="SALES")
    duty = DutyFactory(department=department, title="Plan the budget")
    RoleFactory(department=department, title="Seller")
    assert "up to date" in _rebuild()
    # Writes that bypass the model (as a bulk import would without its refresh).
    Finding.objects.filter(duty=duty).delete()
    Duty.objects.filter(pk=duty.pk).update(active=False)
    Finding.objects.create(
        rule=raci.NO_ACCOUNTABLE,
        severity="error",
        department=department,
        department_code="SALES",
        duty_title="gone",
        texts={"en": ["x", "y"]},
    )
    output = _rebuild()
    assert "removed  NO_ACCOUNTABLE" in output and "Corrected 1 stored finding(s)" in output
    assert_stored_equals_recomputed()
    assert "up to date" in _rebuild()


def test_an_overload_limit_change_is_applied_by_a_rebuild():
    department = DepartmentFactory(code="SALES")
    role = RoleFactory(department=department, title="Seller")
    for number in range(3):
        duty = DutyFactory(department=department, title=f"Duty {number}")
        services.assignment_set(duty=duty, role=role, letter=raci.AR, expected_version=0, by=None)
    assert not Finding.objects.filter(rule=raci.ROLE_OVERLOADED).exists()
    with override_settings(RACI_OVERLOAD_LIMIT=2):
        assert "added    ROLE_OVERLOADED" in _rebuild()
        assert_stored_equals_recomputed()


def _statements(captured) -> list[str]:
    """The queries a request would send; savepoints exist only because each test runs
    inside a transaction (the service's outer atomic() is a savepoint here)."""
    return [
        q["sql"] for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def test_a_cell_edit_refreshes_the_findings_of_its_duty_and_role_only(
    django_assert_max_num_queries,
):
    department = DepartmentFactory(code="SALES")
    role = RoleFactory(department=department, title="Seller")
    department.head = RoleFactory(department=department, title="Head of Sales")
    department.save()
    duty = DutyFactory(department=department, title="Plan the budget")
    DutyFactory(department=department, title="Ship orders")
    assert [f.rule for f in selectors.findings(selectors.Scope(department=department))] == [
        raci.NO_ACCOUNTABLE,
        raci.NO_ACCOUNTABLE,
        raci.NO_RESPONSIBLE,
        raci.NO_RESPONSIBLE,
        raci.ROLE_WITHOUT_DUTIES,
        raci.ROLE_WITHOUT_DUTIES,
    ]
    duty = Duty.objects.select_related("department", "project").get(pk=duty.pk)
    # The role's load with the head's (before the edit: the matrix reads them with the
    # duty and the role, see test_matrix_cost), lock the duty's cells (read with their
    # roles for its findings), insert (its version read inside: above the history's),
    # history; replace the findings (delete and insert: one statement on PostgreSQL).
    replace = 1 if connection.vendor == "postgresql" else 2
    with django_assert_max_num_queries(20) as captured:
        result = services.assignment_set(
            duty=duty, role=role, letter=raci.AR, expected_version=0, by=None
        )
    assert len(_statements(captured)) == 4 + replace
    assert [f.rule for f in result.findings] == [raci.VACANT_ACCOUNTABLE, raci.VACANT_RESPONSIBLE]
    with django_assert_max_num_queries(20) as captured:
        services.assignment_set(duty=duty, role=role, letter=raci.R, expected_version=1, by=None)
    assert len(_statements(captured)) == 4 + replace
    # C to I changes no finding of the duty or the role: none is deleted or written.
    clerk = RoleFactory(department=department, title="Clerk")
    services.assignment_set(duty=duty, role=clerk, letter=raci.C, expected_version=0, by=None)
    with django_assert_max_num_queries(20) as captured:
        services.assignment_set(duty=duty, role=clerk, letter=raci.I, expected_version=1, by=None)
    assert len(_statements(captured)) == 4
    assert "responsibilities_finding" not in " ".join(_statements(captured))
    found = selectors.findings(selectors.Scope(department=department))
    assert [(f.rule, f.duty_id or f.roles[0].id) for f in found] == [
        (raci.NO_ACCOUNTABLE, duty.pk),
        (raci.NO_ACCOUNTABLE, duty.pk + 1),
        (raci.NO_RESPONSIBLE, duty.pk + 1),
        (raci.VACANT_RESPONSIBLE, duty.pk),
        (raci.ROLE_WITHOUT_DUTIES, department.head_id),
    ]
    assert_stored_equals_recomputed()


def test_holdings_that_start_or_end_today_refresh_their_roles():
    department = DepartmentFactory(code="SALES")
    role = RoleFactory(department=department, title="Seller")
    duty = DutyFactory(department=department, title="Plan the budget")
    services.assignment_set(duty=duty, role=role, letter=raci.AR, expected_version=0, by=None)
    today = timezone.localdate()
    # Written when the holding still lay in the future: the role was vacant then.
    holding = RoleHolderFactory(role=role, since=today + datetime.timedelta(days=1))
    RoleHolder.objects.filter(pk=holding.pk).update(since=today)  # the day has come
    assert [f.rule for f in selectors.findings(selectors.Scope())] == [
        raci.VACANT_ACCOUNTABLE,
        raci.VACANT_RESPONSIBLE,
    ]
    assert findings_store.findings_refresh_holdings() == 1
    assert selectors.findings(selectors.Scope()) == []
    assert_stored_equals_recomputed()


def test_findings_are_filled_for_an_existing_database_on_migrate():
    department = DepartmentFactory(code="SALES")
    DutyFactory(department=department, title="Plan the budget")
    Finding.objects.all().delete()
    findings_rebuild.fill_after_migrate(sender=None)
    assert_stored_equals_recomputed()
    assert Finding.objects.count() == 2
