"""Search: "who owns this?" across duties, roles, departments, projects and people.

On PostgreSQL a word matches by substring (which also serves Chinese, where words are
not separated by spaces) or by trigram word similarity (typos in alphabetic words),
backed by the trigram indexes of migration 0002, and the whole query also matches
through full-text search with English stemming ("reporting" finds "reports"). On SQLite each word that matches
nothing by substring is replaced by its closest words from the titles (difflib), a
simpler fallback for laptops. Every group is a constant number of queries.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, F, FloatField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Greatest

from orgmap.models import Department, Project, Role, RoleHolder

from . import raci
from .models import Assignment, Duty

MIN_QUERY_LENGTH = 2
TRIGRAM_THRESHOLD = 0.35
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class DutyHit:
    duty: Duty
    accountable: list[Assignment] = field(default_factory=list)
    responsible: list[Assignment] = field(default_factory=list)


@dataclass
class Results:
    query: str
    duties: list[DutyHit]
    roles: list[Role]
    departments: list[Department]
    projects: list[Project]
    people: list

    @property
    def count(self) -> int:
        return (
            len(self.duties)
            + len(self.roles)
            + len(self.departments)
            + len(self.projects)
            + len(self.people)
        )


def _words(query: str) -> list[str]:
    return [word for word in WORD.findall(query.casefold()) if word]


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _vocabulary() -> list[str]:
    """Words of every duty, role, department and project title, for the SQLite
    fallback's spelling correction; cached for a minute."""
    words = cache.get("search:vocabulary")
    if words is None:
        found: set[str] = set()
        for values in (
            Duty.objects.values_list("title", flat=True),
            Role.objects.values_list("title", flat=True),
            Department.objects.values_list("name", flat=True),
            Project.objects.values_list("name", flat=True),
        ):
            for title in values:
                found.update(_words(title))
        words = sorted(found)
        cache.set("search:vocabulary", words, 60)
    return words


def _word_filter(word: str, fields: list[str]) -> Q:
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": word})
    return condition


def _ranked(queryset: QuerySet, words: list[str], fields: list[str], title_field: str) -> QuerySet:
    """Rows where every word matches one of `fields`, best first."""
    if not words:
        return queryset.none()
    if _is_postgres():
        condition = Q()
        similarity = []
        for index, word in enumerate(words):
            name = f"_sim{index}"
            queryset = queryset.annotate(**{name: TrigramWordSimilarity(Value(word), title_field)})
            similarity.append(F(name))
            condition &= _word_filter(word, fields) | Q(**{f"{name}__gte": TRIGRAM_THRESHOLD})
        # Full-text search with English stemming also finds "reporting" for "reports".
        document = SearchVector(*fields, config="english")
        text_query = SearchQuery(" ".join(words), config="english")
        queryset = queryset.annotate(_document=document, _rank=SearchRank(document, text_query))
        condition |= Q(_document=text_query)
        exact = Case(
            When(**{f"{title_field}__icontains": " ".join(words)}, then=Value(2.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )
        return (
            queryset.filter(condition)
            .annotate(score=Greatest(exact, *similarity))
            .order_by("-score", "-_rank", title_field)
        )
    condition = Q()
    vocabulary = None
    for word in words:
        matches = _word_filter(word, fields)
        if not queryset.filter(matches).exists():
            # Nothing contains the word: try the closest spellings of it instead.
            vocabulary = vocabulary if vocabulary is not None else _vocabulary()
            for close in difflib.get_close_matches(word, vocabulary, n=3, cutoff=0.75):
                matches |= _word_filter(close, fields)
        condition &= matches
    return queryset.filter(condition).order_by(title_field)


def search(query: str, *, limit: int = 20) -> Results:
    query = " ".join(query.split())[:200]
    words = _words(query)
    if len(query) < MIN_QUERY_LENGTH or not words:
        return Results(query=query, duties=[], roles=[], departments=[], projects=[], people=[])

    duties = list(
        _ranked(
            Duty.objects.filter(active=True).select_related("department", "project"),
            words,
            ["title", "description", "kpis"],
            "title",
        )[:limit]
    )
    owners = (
        Assignment.objects.filter(duty__in=duties, letter__in=[raci.A, raci.R, raci.AR])
        .select_related("role__department")
        .prefetch_related(
            Prefetch(
                "role__holders",
                queryset=RoleHolder.objects.current().select_related("person__profile"),
                to_attr="current_holders",
            )
        )
        .order_by("role__title")
    )
    hits = {duty.pk: DutyHit(duty=duty) for duty in duties}
    for assignment in owners:
        hit = hits[assignment.duty_id]
        if assignment.letter in raci.ACCOUNTABLE_LETTERS:
            hit.accountable.append(assignment)
        if assignment.letter in raci.RESPONSIBLE_LETTERS:
            hit.responsible.append(assignment)

    roles = list(
        _ranked(
            Role.objects.filter(active=True).select_related("department").with_current_holders(),
            words,
            ["title", "purpose"],
            "title",
        )[:limit]
    )
    departments = list(
        _ranked(Department.objects.all(), words, ["name", "code", "description"], "name")[:limit]
    )
    projects = list(_ranked(Project.objects.all(), words, ["name", "code", "goal"], "name")[:limit])
    people_condition = Q()
    for word in words:
        people_condition &= _word_filter(
            word, ["username", "email", "first_name", "last_name", "profile__display_name"]
        )
    people = list(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(people_condition)
        .select_related("profile")
        .prefetch_related(
            Prefetch(
                "role_holdings",
                queryset=RoleHolder.objects.current().select_related("role__department"),
                to_attr="current_holdings",
            )
        )
        .order_by("profile__display_name", "username")[:limit]
    )
    return Results(
        query=query,
        duties=list(hits.values()),
        roles=roles,
        departments=departments,
        projects=projects,
        people=people,
    )


def my_responsibilities(user) -> dict[str, list[Assignment]]:
    """Everything the user is R, A, C or I for, through the roles they hold now."""
    held = RoleHolder.objects.current().filter(person=user).values("role_id")
    assignments = (
        Assignment.objects.filter(role__in=held, duty__active=True)
        .select_related("duty__department", "duty__project", "role")
        .order_by("duty__title")
    )
    grouped: dict[str, list[Assignment]] = {
        letter: [] for letter in (raci.A, raci.AR, raci.R, raci.C, raci.I)
    }
    for assignment in assignments:
        grouped[assignment.letter].append(assignment)
    return grouped
