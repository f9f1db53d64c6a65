"""Small factories (factory_boy) for tests that build only what they need."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from orgmap.models import Department, Project, Role, RoleHolder
from responsibilities.models import Duty


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"D{n}")
    name = factory.LazyAttribute(lambda d: f"Department {d.code}")


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    department = factory.SubFactory(DepartmentFactory)
    title = factory.Sequence(lambda n: f"Role {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda p: f"{p.username}@example.com")


class RoleHolderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleHolder

    role = factory.SubFactory(RoleFactory)
    person = factory.SubFactory(PersonFactory)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"P{n}")
    name = factory.LazyAttribute(lambda p: f"Project {p.code}")


class DutyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Duty

    department = factory.SubFactory(DepartmentFactory)
    title = factory.Sequence(lambda n: f"Duty {n}")
