"""New versions of the role descriptions a write touched, and their holders asked.

`record_versions(role_ids)` reads the lines of exactly those roles (content.py, two
queries), their latest versions (one query), writes a version for each role whose
fingerprint changed (one INSERT) and asks the current holders of those roles (three
statements). A role with no version yet gets its first one the same way.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from orgmap.models import Role, RoleHolder

from . import content, findings, selectors
from .models import ConfirmationRequest, RoleDescriptionVersion

Reason = ConfirmationRequest.Reason
Status = ConfirmationRequest.Status


def grace_days() -> int:
    return settings.ATTESTATION_GRACE_DAYS


def due_from(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=grace_days())


def latest_versions(role_ids: Iterable[int]) -> dict[int, RoleDescriptionVersion]:
    """{role id: its current version} in one query."""
    role_ids = set(role_ids)
    if not role_ids:
        return {}
    newest = (
        RoleDescriptionVersion.objects.filter(role_id__in=role_ids)
        .values("role_id")
        .annotate(top=Max("number"))
    )
    wanted = {(row["role_id"], row["top"]) for row in newest}
    if not wanted:
        return {}
    rows = RoleDescriptionVersion.objects.filter(
        role_id__in={role_id for role_id, _ in wanted},
        number__in={number for _, number in wanted},
    )
    return {v.role_id: v for v in rows if (v.role_id, v.number) in wanted}


@transaction.atomic
def record_versions(role_ids: Iterable[int]) -> list[RoleDescriptionVersion]:
    """Write a new version of each of these roles whose description changed, and ask
    its current holders to confirm it. Returns the new versions.

    The roles' rows are locked first (FOR NO KEY UPDATE: cells may still be written
    meanwhile), so two workers versioning one role take turns and the second compares
    with the first one's version instead of both numbering theirs alike."""
    role_ids = sorted(set(role_ids))
    list(Role.objects.select_for_update(no_key=True).filter(pk__in=role_ids).values_list("pk"))
    lines_by_role = content.role_lines(role_ids)
    if not lines_by_role:
        return []
    latest = latest_versions(lines_by_role)
    now = timezone.now()
    created = []
    for role_id, lines in sorted(lines_by_role.items()):
        stamp = content.fingerprint(lines)
        previous = latest.get(role_id)
        if previous is not None and previous.fingerprint == stamp:
            continue
        changes = content.summary(content.diff(previous.lines if previous else [], lines))
        created.append(
            RoleDescriptionVersion(
                role_id=role_id,
                number=previous.number + 1 if previous else 1,
                fingerprint=stamp,
                lines=lines,
                changes=changes,
                created_at=now,
            )
        )
    if created:
        created = RoleDescriptionVersion.objects.bulk_create(created)
        ask_holders(created, reason=Reason.NEW_VERSION)
    return created


def ask_holders(
    versions: list[RoleDescriptionVersion],
    *,
    reason: str,
    person_ids: Iterable[int] | None = None,
) -> list[ConfirmationRequest]:
    """Ask the current holders of each version's role (or only `person_ids`) to confirm
    it; their open requests for an older version are superseded."""
    by_role = {version.role_id: version for version in versions}
    if not by_role:
        return []
    today = timezone.localdate()
    holdings = RoleHolder.objects.current(today).filter(role_id__in=by_role)
    if person_ids is not None:
        holdings = holdings.filter(person_id__in=set(person_ids))
    pairs = set(holdings.values_list("role_id", "person_id"))
    open_requests = ConfirmationRequest.objects.filter(
        role_id__in=by_role, status__in=ConfirmationRequest.OPEN
    )
    if person_ids is not None:
        open_requests = open_requests.filter(person_id__in={person for _, person in pairs})
    was_overdue = findings.overdue_roles(open_requests)
    open_requests.update(status=Status.SUPERSEDED)
    findings.refresh_accountable(was_overdue)  # a fresh request is not overdue
    now = timezone.now()
    requests = [
        ConfirmationRequest(
            role_id=role_id,
            person_id=person_id,
            version=by_role[role_id],
            reason=reason,
            asked_at=now,
            due_on=due_from(today),
        )
        for role_id, person_id in sorted(pairs)
    ]
    selectors.requests_changed()
    # A concurrent flush (another thread or process versioning the same role) may have
    # asked the same holder a moment ago: its open request stands, this one is dropped.
    return ConfirmationRequest.objects.bulk_create(requests, ignore_conflicts=True)


def ask_new_holder(*, role_id: int, person_id: int) -> ConfirmationRequest | None:
    """A person who took a role is asked to confirm its current version (made now if
    the role has none), unless they already accepted it or are already asked."""
    version = latest_versions({role_id}).get(role_id)
    if version is None:
        record_versions({role_id})  # asks every current holder, this one included
        return None
    already = ConfirmationRequest.objects.filter(
        role_id=role_id, person_id=person_id, version=version
    ).exclude(status=Status.SUPERSEDED)
    if already.exists():
        return None
    asked = ask_holders([version], reason=Reason.NEW_HOLDER, person_ids={person_id})
    return asked[0] if asked else None


def withdraw(*, role_id: int, person_id: int) -> int:
    """The person no longer holds the role: their open request has nobody to answer."""
    if RoleHolder.objects.current().filter(role_id=role_id, person_id=person_id).exists():
        return 0
    open_requests = ConfirmationRequest.objects.filter(
        role_id=role_id, person_id=person_id, status__in=ConfirmationRequest.OPEN
    )
    was_overdue = findings.overdue_roles(open_requests)
    withdrawn = open_requests.update(status=Status.SUPERSEDED)
    findings.refresh_accountable(was_overdue)
    selectors.requests_changed()
    return withdrawn
