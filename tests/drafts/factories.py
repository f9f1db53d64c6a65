"""Factories and a small organisation for the drafts tests."""

from __future__ import annotations

from dataclasses import dataclass

import factory

from collaboration.drafts.models import Draft
from orgmap.models import Department, Role
from responsibilities import services as live
from responsibilities.models import Duty
from tests import factories


class DraftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Draft

    name = factory.Sequence(lambda n: f"Draft {n}")
    author = factory.SubFactory(factories.UserFactory)


@dataclass
class World:
    sales: Department
    production: Department
    sales_head: Role
    sales_rep: Role
    planner: Role
    quoting: Duty  # SALES: A sales head, R sales rep
    orders: Duty  # SALES: A sales head, R sales rep


def set_live(duty: Duty, role: Role, letter: str | None, by=None):
    """A live edit through the live service (history, findings, versions)."""
    from responsibilities.models import Assignment

    current = Assignment.objects.filter(duty=duty, role=role).first()
    return live.assignment_set(
        duty=duty,
        role=role,
        letter=letter,
        expected_version=current.version if current else 0,
        by=by,
    )


def build_world(sales_manager, production_manager) -> World:
    """SALES (managed by sales_manager) and PROD (by production_manager), each with a
    head role held by its manager, and two SALES duties with an A and an R."""
    sales = Department.objects.get(code="SALES")
    production = Department.objects.get(code="PROD")
    sales_head = Role.objects.get(department=sales, title="Head of Sales")
    sales.head = sales_head
    sales.save(update_fields=["head"])
    production.head = Role.objects.get(department=production, title="Production Manager")
    production.save(update_fields=["head"])
    sales_rep = factories.RoleFactory(department=sales, title="Sales Rep")
    factories.RoleHolderFactory(role=sales_rep)
    planner = factories.RoleFactory(department=production, title="Planner")
    factories.RoleHolderFactory(role=planner)
    quoting = factories.DutyFactory(title="Quote prices", department=sales)
    orders = factories.DutyFactory(title="Confirm orders", department=sales)
    for duty in (quoting, orders):
        set_live(duty, sales_head, "A")
        set_live(duty, sales_rep, "R")
    return World(sales, production, sales_head, sales_rep, planner, quoting, orders)
