"""Reads of the confirmations: the header's count, a holder's open requests, the
coverage of departments and roles, the questions waiting for a manager."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from orgmap.models import Role, RoleHolder

from .models import Acceptance, ConfirmationRequest, RoleDescriptionVersion

Status = ConfirmationRequest.Status


# The header's count is cached per person (every page shows it; a matrix page must stay
# within its 10 queries) and forgotten, for everybody at once, when any request changes.
# Without a shared cache (Redis) another process's change shows within PROMPT_SECONDS.
PROMPT_SECONDS = 60
_GENERATION = "attestation:open-requests:generation"


def open_request_count(user) -> int:
    """The header's prompt: a count on the (person, status) index, read from the cache
    when no request changed since. The person's entry keeps the generation it was
    counted in, so one round trip (both keys at once) tells whether it still holds."""
    key = f"attestation:open-requests:person:{user.pk}"
    cached = cache.get_many([_GENERATION, key])
    generation = cached.get(_GENERATION, 0)
    entry = cached.get(key)
    if isinstance(entry, tuple | list) and len(entry) == 2 and entry[0] == generation:
        return entry[1]
    count = ConfirmationRequest.objects.filter(
        person=user, status__in=ConfirmationRequest.OPEN
    ).count()
    cache.set(key, (generation, count), PROMPT_SECONDS)
    return count


def requests_changed() -> None:
    """Writers of requests call this: the cached counts are forgotten at once and again
    when their transaction commits (a page read in between may have cached the old)."""
    _next_generation()
    transaction.on_commit(_next_generation)


def _next_generation() -> None:
    try:
        cache.incr(_GENERATION)
    except ValueError:  # not there yet (or evicted)
        cache.set(_GENERATION, 1, None)


def open_requests(user) -> QuerySet[ConfirmationRequest]:
    return (
        ConfirmationRequest.objects.filter(person=user, status__in=ConfirmationRequest.OPEN)
        .select_related("role__department", "version")
        .order_by("due_on", "pk")
    )


def open_request(user, role: Role) -> ConfirmationRequest | None:
    return (
        ConfirmationRequest.objects.filter(
            person=user, role=role, status__in=ConfirmationRequest.OPEN
        )
        .select_related("version")
        .first()
    )


def last_accepted_version(user, role: Role) -> RoleDescriptionVersion | None:
    """The version this person accepted last for this role: what they see changes since."""
    acceptance = (
        Acceptance.objects.filter(person=user, role=role, answer=Acceptance.Answer.ACCEPTED)
        .select_related("version")
        .order_by("-answered_at", "-pk")
        .first()
    )
    return acceptance.version if acceptance else None


def versions(role: Role) -> list[RoleDescriptionVersion]:
    return list(RoleDescriptionVersion.objects.filter(role=role).defer("lines").order_by("-number"))


def acceptance_record(role: Role) -> list[Acceptance]:
    return list(
        Acceptance.objects.filter(role=role)
        .select_related("person__profile")
        .order_by("-answered_at", "-pk")
    )


# ------------------------------------------------------------------ coverage

ACCEPTED, PENDING, DECLINED, OVERDUE, NOT_ASKED = (
    "accepted",
    "pending",
    "declined",
    "overdue",
    "not_asked",
)
STATES = (ACCEPTED, PENDING, DECLINED, OVERDUE)


@dataclass
class RoleCoverage:
    role_id: int
    role_title: str
    department_id: int
    department_code: str
    department_name: str
    version: int | None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))

    @property
    def holders(self) -> int:
        return sum(self.counts.values())

    @property
    def accepted_share(self) -> int:
        """Whole percent of the holders who accepted the current version."""
        return round(100 * self.counts[ACCEPTED] / self.holders) if self.holders else 0


@dataclass
class DepartmentCoverage:
    department_id: int
    code: str
    name: str
    roles: list[RoleCoverage] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {state: sum(role.counts[state] for role in self.roles) for state in STATES}

    @property
    def holders(self) -> int:
        return sum(role.holders for role in self.roles)

    @property
    def accepted_share(self) -> int:
        holders = self.holders
        return round(100 * self.counts[ACCEPTED] / holders) if holders else 0


def holder_state(request: dict | None, current_version_id: int | None, today) -> str:
    """What one holder's latest request says about the current version."""
    if request is None:
        return PENDING  # not asked yet (a role with no version): waiting all the same
    if request["status"] == Status.ACCEPTED and request["version_id"] == current_version_id:
        return ACCEPTED
    if request["status"] == Status.DECLINED:
        return DECLINED
    if request["due_on"] < today:
        return OVERDUE
    return PENDING


def _roles_with_current_version(roles: QuerySet[Role]) -> list[dict]:
    newest = RoleDescriptionVersion.objects.filter(role=OuterRef("pk")).order_by("-number")
    return list(
        roles.annotate(
            version_id=Subquery(newest.values("pk")[:1]),
            version_number=Subquery(newest.values("number")[:1]),
        )
        .values(
            "pk",
            "title",
            "department_id",
            "department__code",
            "department__name",
            "version_id",
            "version_number",
        )
        .order_by("department__name", "title", "pk")
    )


def coverage(department_ids: Iterable[int] | None = None) -> list[DepartmentCoverage]:
    """Per department and role: the current holders who accepted the current version,
    are asked (pending), declined, or are past the due date (overdue). Three queries
    whatever the organisation's size: the holdings with their roles and the current
    version, the latest request of each holding."""
    today = timezone.localdate()
    roles = Role.objects.filter(active=True)
    if department_ids is not None:
        roles = roles.filter(department_id__in=set(department_ids))
    rows = _roles_with_current_version(roles)
    holdings = list(
        RoleHolder.objects.current(today)
        .filter(role__in=roles)
        .values_list("role_id", "person_id")
        .distinct()
    )
    latest: dict[tuple[int, int], dict] = {}
    requests = ConfirmationRequest.objects.filter(role__in=roles).exclude(status=Status.SUPERSEDED)
    for request in requests.order_by("pk").values(
        "role_id", "person_id", "status", "version_id", "due_on"
    ):
        latest[(request["role_id"], request["person_id"])] = request
    by_role: dict[int, RoleCoverage] = {}
    departments: dict[int, DepartmentCoverage] = {}
    for row in rows:
        department = departments.setdefault(
            row["department_id"],
            DepartmentCoverage(
                row["department_id"], row["department__code"], row["department__name"]
            ),
        )
        role = RoleCoverage(
            role_id=row["pk"],
            role_title=row["title"],
            department_id=row["department_id"],
            department_code=row["department__code"],
            department_name=row["department__name"],
            version=row["version_number"],
        )
        by_role[row["pk"]] = role
        department.roles.append(role)
        role._version_id = row["version_id"]
    for role_id, person_id in holdings:
        role = by_role[role_id]
        state = holder_state(latest.get((role_id, person_id)), role._version_id, today)
        role.counts[state] += 1
    for department in departments.values():
        department.roles = [role for role in department.roles if role.holders]
    return [department for department in departments.values() if department.roles]


def totals(departments: list[DepartmentCoverage]) -> dict[str, int]:
    counts = dict.fromkeys(STATES, 0)
    for department in departments:
        for state, count in department.counts.items():
            counts[state] += count
    holders = sum(counts.values())
    counts["holders"] = holders
    counts["share"] = round(100 * counts[ACCEPTED] / holders) if holders else 0
    return counts


def declined_questions(department_ids: Iterable[int] | None) -> list[Acceptance]:
    """Questions of holders who declined and are still waiting (their request is still
    the declined one), for the managers of these departments (None: everywhere)."""
    answers = Acceptance.objects.filter(
        answer=Acceptance.Answer.DECLINED, request__status=Status.DECLINED
    )
    if department_ids is not None:
        answers = answers.filter(role__department_id__in=set(department_ids))
    return list(
        answers.select_related("person__profile", "role__department").order_by("-answered_at")[:50]
    )


def overdue_pending(today: datetime.date) -> list[dict]:
    """Pending requests past their due date whose person still holds the role: what the
    reminders (collaboration/reminders/due.py) remind of. One query. A declined request
    waits for the manager, not for the holder: no reminder."""
    holds = RoleHolder.objects.current(today).filter(
        role_id=OuterRef("role_id"), person_id=OuterRef("person_id")
    )
    return list(
        ConfirmationRequest.objects.filter(status=Status.PENDING, due_on__lt=today)
        .filter(Exists(holds))
        .values("pk", "role_id", "person_id", "due_on", department_id=F("role__department_id"))
    )


def still_overdue(*, role_id: int, due_on: datetime.date, person_id: int | None) -> bool:
    """Whether a reminder about this role's confirmations due on `due_on` (of one
    person, or of any holder) is still needed when it is sent."""
    pending = ConfirmationRequest.objects.filter(
        role_id=role_id, status=Status.PENDING, due_on=due_on
    )
    if person_id is not None:
        pending = pending.filter(person_id=person_id)
    return pending.exists()
