"""Writes of the confirmations: a holder's answer, a role's cadence, the daily sweep."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgmap.models import Role, RoleHolder
from orgmap.webhooks import events
from orgmap.webhooks.models import ROLE_CONFIRMATION_ANSWERED

from . import findings, selectors
from .models import Acceptance, ConfirmationRequest, RoleConfirmationPolicy
from .versions import ask_holders, latest_versions, record_versions

Status = ConfirmationRequest.Status


class ConfirmationError(Exception):
    """A refused answer; `code` says why, `message` says it to the person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


QUESTION_MAX = 2000


@transaction.atomic
def confirmation_answer(*, request_id: int, person, accept: bool, question: str = "") -> Acceptance:
    """Record `person`'s answer to their open request: accepted, or declined with a
    question for the role's manager. The request row is locked so a double submit
    records one answer."""
    request = (
        ConfirmationRequest.objects.select_for_update()
        .select_related("version")
        .filter(pk=request_id, person=person)
        .first()
    )
    if request is None:
        raise ConfirmationError("unknown", _("This confirmation is not yours to answer."))
    if request.status not in (Status.PENDING, Status.DECLINED):
        raise ConfirmationError(
            "closed",
            _("This version has already been answered or replaced by a newer one."),
        )
    question = question.strip()
    if not accept and not question:
        raise ConfirmationError("question", _("Say what you would like to ask your manager."))
    if len(question) > QUESTION_MAX:
        raise ConfirmationError("question", _("The question is too long."))
    now = timezone.now()
    acceptance = Acceptance.objects.create(
        request=request,
        role_id=request.role_id,
        person=person,
        version=request.version,
        version_number=request.version.number,
        fingerprint=request.version.fingerprint,
        answer=Acceptance.Answer.ACCEPTED if accept else Acceptance.Answer.DECLINED,
        question="" if accept else question,
        answered_at=now,
    )
    request.status = Status.ACCEPTED if accept else Status.DECLINED
    request.answered_at = now
    request.save(update_fields=["status", "answered_at"])
    selectors.requests_changed()
    _publish_answer(acceptance, request)
    if accept and request.due_on < timezone.localdate():
        findings.refresh_accountable({request.role_id})  # was overdue: its finding goes
    return acceptance


def _publish_answer(acceptance: Acceptance, request: ConfirmationRequest) -> None:
    """The webhook event of an answer (nothing is read when no endpoint wants it)."""
    if not events.wanted(ROLE_CONFIRMATION_ANSWERED):
        return
    role = Role.objects.select_related("department").get(pk=request.role_id)
    answer = {
        "role": {"id": role.pk, "title": role.title, "department": role.department.code},
        "person": acceptance.person.get_username(),
        "version": {"number": acceptance.version_number, "fingerprint": acceptance.fingerprint},
        "answer": acceptance.answer,
        "question": acceptance.question,
        "answered_at": acceptance.answered_at,
    }
    events.publish(ROLE_CONFIRMATION_ANSWERED, {"before": None, "after": answer})


def cadence_months(role: Role) -> int:
    policy = RoleConfirmationPolicy.objects.filter(role=role).first()
    return policy.cadence_months if policy else settings.ATTESTATION_CADENCE_MONTHS


@transaction.atomic
def cadence_set(*, role: Role, months: int) -> None:
    if months == settings.ATTESTATION_CADENCE_MONTHS:
        RoleConfirmationPolicy.objects.filter(role=role).delete()
    else:
        RoleConfirmationPolicy.objects.update_or_create(
            role=role, defaults={"cadence_months": months}
        )


def _cadences() -> dict[int, int]:
    return dict(RoleConfirmationPolicy.objects.values_list("role_id", "cadence_months"))


@transaction.atomic
def confirmations_sweep(today: datetime.date | None = None) -> dict[str, int]:
    """The periodic job: a version of every role whose description differs from its
    latest version (the first version of a role that has none, and a change whose
    versioning task was lost: the broker was down when its write committed), holders
    whose holding started without a request (a start date in the future), and holders
    whose last acceptance is older than the role's cadence. Comparing every role is
    seven queries and about a second on the O*NET organisation's 923 roles."""
    today = today or timezone.localdate()
    created = record_versions(Role.objects.values_list("pk", flat=True))
    holdings = set(RoleHolder.objects.current(today).values_list("role_id", "person_id"))
    requests = ConfirmationRequest.objects.exclude(status=Status.SUPERSEDED).filter(
        role_id__in={role_id for role_id, _ in holdings}
    )
    latest: dict[tuple[int, int], tuple[str, datetime.datetime | None]] = {}
    for row in requests.order_by("pk").values("role_id", "person_id", "status", "answered_at"):
        latest[(row["role_id"], row["person_id"])] = (row["status"], row["answered_at"])
    cadences, default = _cadences(), settings.ATTESTATION_CADENCE_MONTHS
    new_holders, expired = set(), set()
    for pair in holdings:
        status, answered_at = latest.get(pair, (None, None))
        if status is None:
            new_holders.add(pair)
        elif status == Status.ACCEPTED:
            months = cadences.get(pair[0], default)
            if timezone.localdate(answered_at) + relativedelta(months=months) <= today:
                expired.add(pair)
    current = latest_versions({role_id for role_id, _ in new_holders | expired})
    asked = 0
    for reason, pairs in (
        (ConfirmationRequest.Reason.NEW_HOLDER, new_holders),
        ("cadence", expired),
    ):
        for role_id, person_id in sorted(pairs):
            if role_id in current:
                asked += len(ask_holders([current[role_id]], reason=reason, person_ids={person_id}))
    refreshed = findings.refresh_accountable(findings.newly_overdue_roles(today))
    return {"versions": len(created), "asked": asked, "refreshed": refreshed}
