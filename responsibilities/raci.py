"""RACI findings engine: pure rules over plain data.

The selector condenses the matrix into the frozen dataclasses below with a few
aggregate queries; this module only judges them. Keeping it free of the ORM means
every rule is specified by fast unit tests and the same findings serve the pages,
the exports and the digests alike.

Accountability and responsibility rules look at *active* roles only: an inactive
role cannot carry a duty, and its leftover cell is reported once, with its own fix,
by INACTIVE_ROLE_ASSIGNED.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# The engine's interface includes its input types and the letters (raci.Finding,
# raci.LETTERS, raci.parse_letter): imported here, defined beside it.
from .raci_data import (  # noqa: F401
    CROSS_DEPARTMENT_DUPLICATE,
    DUPLICATE_DUTY,
    INACTIVE_ROLE_ASSIGNED,
    MISSING_HANDOFF,
    MULTIPLE_ACCOUNTABLE,
    NO_ACCOUNTABLE,
    NO_RESPONSIBLE,
    ROLE_OVERLOADED,
    ROLE_WITHOUT_DUTIES,
    RULES,
    UNCONFIRMED_ACCOUNTABILITY,
    VACANT_ACCOUNTABLE,
    VACANT_RESPONSIBLE,
    DuplicateTitle,
    DutyFacts,
    DutyRef,
    Finding,
    Fix,
    RoleLoad,
    RoleRef,
    Severity,
    reading_key,
    sort_findings,
    summarise,
    title_key,
)
from .raci_input import (  # noqa: F401
    ACCOUNTABLE_LETTERS,
    AR,
    LETTER_LABELS,
    LETTERS,
    RESPONSIBLE_LETTERS,
    A,
    C,
    I,
    R,
    UnknownLetter,
    duty_identity,
    normalise_title,
    parse_letter,
    quote,
)

Roles = tuple[RoleRef, ...]


def _by_title(roles: Iterable[RoleRef]) -> Roles:
    """De-duplicated by id and in reading order, so output never depends on query order."""
    unique = {role.id: role for role in roles}
    return tuple(sorted(unique.values(), key=lambda role: (*title_key(role.title), role.id)))


def _names(roles: Iterable[RoleRef], *, with_department: bool = False) -> str:
    if with_department:
        return ", ".join(f"{role.title} ({role.department_code})" for role in _by_title(roles))
    return ", ".join(role.title for role in _by_title(roles))


def _ids(roles: Iterable[RoleRef]) -> set[int]:
    return {role.id for role in roles}


def _where(duty: DutyFacts) -> str:
    values = {"duty": duty.title, "department": duty.department_code, "project": duty.project_code}
    if duty.project_code:
        return _('"%(duty)s" (%(department)s, project %(project)s)') % values
    return _('"%(duty)s" (%(department)s)') % values


def _head(
    duty: DutyFacts, *, held: bool = False, exclude: Iterable[RoleRef] = ()
) -> RoleRef | None:
    """The head role as the fallback carrier of a letter, if it can really carry it."""
    head = duty.head_role
    if head is None or not head.active or (held and head.vacant) or head.id in _ids(exclude):
        return None
    return head


def _finding(
    rule: str,
    place: DutyFacts | DutyRef | RoleRef,
    roles: Iterable[RoleRef],
    message: str,
    suggestion: str,
    fix: Fix | None = None,
) -> Finding:
    """Build a finding located where `place` is: a duty (with its project, if any) or a role."""
    duty = None if isinstance(place, RoleRef) else place
    return Finding(
        rule=rule,
        severity=RULES[rule],
        department_id=place.department_id,
        department_code=place.department_code,
        project_id=getattr(place, "project_id", None),
        project_code=getattr(place, "project_code", None),
        duty_id=duty.id if duty else None,
        duty_title=duty.title if duty else None,
        roles=_by_title(roles),
        message=message,
        suggestion=suggestion,
        fix=fix,
    )


# Each duty rule sees the duty and its *active* accountable and responsible roles, by title.


def _no_accountable(duty: DutyFacts, accountable: Roles, responsible: Roles) -> list[Finding]:
    if accountable:
        return []
    message = _("Nobody is accountable for %(duty)s.") % {"duty": _where(duty)}
    head = _head(duty)
    if len(responsible) == 1:
        role = responsible[0]
        suggestion = _("Make %(role)s A/R: accountable as well as doing the work.")
        suggestion, fix = suggestion % {"role": role.title}, Fix(duty.id, role.id, AR)
    elif head is not None:
        suggestion = _("Make %(role)s, the head of %(department)s, accountable.")
        suggestion %= {"role": head.title, "department": duty.department_code}
        # AR when the head already does the work: setting plain A would drop its R.
        fix = Fix(duty.id, head.id, AR if head.id in _ids(responsible) else A)
    else:
        suggestion, fix = _("Choose one role to be accountable."), None
    return [_finding(NO_ACCOUNTABLE, duty, (), message, suggestion, fix)]


def _multiple_accountable(duty: DutyFacts, accountable: Roles, _r: Roles) -> list[Finding]:
    if len(accountable) < 2:
        return []
    head = _head(duty)
    keep = next((role for role in accountable if head and role.id == head.id), accountable[0])
    others = [role for role in accountable if role.id != keep.id]
    values = {"duty": _where(duty), "roles": _names(accountable), "keep": keep.title}
    message = _("%(duty)s has several accountable roles: %(roles)s.") % values
    suggestion = _("Keep %(keep)s accountable and make %(others)s Responsible (or Consulted).")
    suggestion %= {**values, "others": _names(others)}
    fix = Fix(duty.id, others[0].id, R)
    return [_finding(MULTIPLE_ACCOUNTABLE, duty, accountable, message, suggestion, fix)]


def _no_responsible(duty: DutyFacts, accountable: Roles, responsible: Roles) -> list[Finding]:
    if responsible:
        return []
    message = _("Nobody is responsible for doing %(duty)s.") % {"duty": _where(duty)}
    if len(accountable) == 1:
        role = accountable[0]
        suggestion = _("Make %(role)s A/R: it is accountable, so let it do the work too.")
        suggestion, fix = suggestion % {"role": role.title}, Fix(duty.id, role.id, AR)
    else:
        suggestion, fix = _("Choose a role to do the work and make it Responsible."), None
    return [_finding(NO_RESPONSIBLE, duty, (), message, suggestion, fix)]


def _vacant_accountable(duty: DutyFacts, accountable: Roles, responsible: Roles) -> list[Finding]:
    findings = []
    head = _head(duty, held=True, exclude=accountable)
    for role in (role for role in accountable if role.vacant):
        values = {"role": role.title, "duty": _where(duty), "head": head.title if head else ""}
        message = _("%(role)s is accountable for %(duty)s but has no holder.") % values
        if head is not None:
            suggestion = _("Fill %(role)s, or move accountability to %(head)s.") % values
            fix = Fix(duty.id, head.id, AR if head.id in _ids(responsible) else A)
        else:
            suggestion = _("Fill %(role)s, or move accountability to a role with a holder.")
            suggestion, fix = suggestion % values, None
        findings.append(_finding(VACANT_ACCOUNTABLE, duty, (role,), message, suggestion, fix))
    return findings


def _vacant_responsible(duty: DutyFacts, accountable: Roles, responsible: Roles) -> list[Finding]:
    if not responsible or not all(role.vacant for role in responsible):
        return []
    values = {"roles": _names(responsible), "duty": _where(duty)}
    message = _("Every role responsible for %(duty)s is vacant: %(roles)s.") % values
    head = _head(duty, held=True, exclude=responsible)
    if head is not None:
        suggestion = _("Fill %(roles)s, or make %(head)s Responsible.")
        suggestion %= {**values, "head": head.title}
        fix = Fix(duty.id, head.id, AR if head.id in _ids(accountable) else R)
    else:
        suggestion = _("Fill %(roles)s, or make a role with a holder Responsible.") % values
        fix = None
    return [_finding(VACANT_RESPONSIBLE, duty, responsible, message, suggestion, fix)]


def _inactive_assigned(duty: DutyFacts, _a: Roles, _r: Roles) -> list[Finding]:
    findings = []
    for role in _by_title(duty.inactive_assigned):
        values = {"role": role.title, "duty": _where(duty)}
        message = _("%(role)s is no longer active but is still assigned to %(duty)s.") % values
        suggestion = _("Clear %(role)s from this duty.") % values
        fix = Fix(duty.id, role.id, None)
        findings.append(_finding(INACTIVE_ROLE_ASSIGNED, duty, (role,), message, suggestion, fix))
    return findings


def _cross_department(duty: DutyFacts, accountable: Roles, responsible: Roles) -> list[Finding]:
    """Project duties are exempt: working across departments is what projects are for."""
    if duty.project_id is not None or len({role.department_id for role in responsible}) < 2:
        return []
    values = {"duty": _where(duty), "roles": _names(responsible, with_department=True)}
    message = _("%(duty)s is done in several departments: %(roles)s.") % values
    others = [role for role in responsible if role.department_id != duty.department_id]
    if len(others) == len(responsible):
        suggestion = _("Keep one department Responsible and make the others Consulted or Informed.")
        return [_finding(CROSS_DEPARTMENT_DUPLICATE, duty, responsible, message, suggestion)]
    suggestion = _("Keep %(department)s Responsible and make %(others)s Consulted or Informed.")
    suggestion %= {
        "department": duty.department_code,
        "others": _names(others, with_department=True),
    }
    # An A/R elsewhere keeps its accountability: dropping only the R is the smaller change.
    fix = Fix(duty.id, others[0].id, A if others[0].id in _ids(accountable) else C)
    return [_finding(CROSS_DEPARTMENT_DUPLICATE, duty, responsible, message, suggestion, fix)]


def _unconfirmed_accountable(duty: DutyFacts, accountable: Roles, _r: Roles) -> list[Finding]:
    """An accountable role whose holders have not confirmed its current description
    within the grace period: accountability nobody has agreed to."""
    findings = []
    for role in (role for role in accountable if role.unconfirmed and not role.vacant):
        values = {"role": role.title, "duty": _where(duty)}
        message = _(
            "%(role)s is accountable for %(duty)s, but its holders have not confirmed "
            "the current role description in time."
        )
        suggestion = _(
            "Ask the holders of %(role)s to confirm their role description, or answer "
            "their questions about it."
        )
        findings.append(
            _finding(
                UNCONFIRMED_ACCOUNTABILITY, duty, (role,), message % values, suggestion % values
            )
        )
    return findings


_DUTY_RULES = (
    _no_accountable,
    _multiple_accountable,
    _no_responsible,
    _vacant_accountable,
    _vacant_responsible,
    _inactive_assigned,
    _cross_department,
    _unconfirmed_accountable,
)


def duty_findings(duty: DutyFacts) -> list[Finding]:
    """Findings about one duty; an inactive duty is history and raises none."""
    if not duty.active:
        return []
    accountable = _by_title(role for role in duty.accountable if role.active)
    responsible = _by_title(role for role in duty.responsible if role.active)
    return [finding for rule in _DUTY_RULES for finding in rule(duty, accountable, responsible)]


def role_findings(load: RoleLoad, *, overload_limit: int = 15) -> list[Finding]:
    """Findings about one role's workload; inactive roles are already retired."""
    role = load.role
    if not role.active:
        return []
    values = {
        "role": role.title,
        "department": role.department_code,
        "count": load.accountable_or_responsible,
        "limit": overload_limit,
    }
    findings = []
    if load.assignments == 0:
        message = _("%(role)s (%(department)s) has no duties.") % values
        suggestion = _("Give %(role)s duties in the matrix, or deactivate it.") % values
        findings.append(_finding(ROLE_WITHOUT_DUTIES, role, (role,), message, suggestion))
    if load.accountable_or_responsible > overload_limit:
        message = ngettext(
            "%(role)s (%(department)s) is accountable or responsible for %(count)d active duty; the limit is %(limit)d.",
            "%(role)s (%(department)s) is accountable or responsible for %(count)d active duties; the limit is %(limit)d.",
            load.accountable_or_responsible,
        )
        suggestion = _(
            "Hand some of %(role)s's duties to other roles, or make it Consulted or Informed where it need not act."
        )
        message, suggestion = message % values, suggestion % values
        findings.append(_finding(ROLE_OVERLOADED, role, (role,), message, suggestion))
    return findings


def duplicate_findings(group: DuplicateTitle) -> list[Finding]:
    """One finding per copy, so every department involved sees it on its own page.

    Copies within a single department are that department's own business, not this rule's.
    """
    codes = {duty.department_id: duty.department_code for duty in group.duties}
    if len(codes) < 2:
        return []
    findings = []
    for duty in sorted(group.duties, key=lambda duty: (duty.department_code, duty.id)):
        others = sorted({code for dept, code in codes.items() if dept != duty.department_id})
        values = {
            "duty": duty.title,
            "department": duty.department_code,
            "others": ", ".join(others),
        }
        message = _('"%(duty)s" (%(department)s) also exists in %(others)s.') % values
        suggestion = _(
            "Agree with %(others)s which department owns this duty; retire or rename the other copies."
        )
        findings.append(_finding(DUPLICATE_DUTY, duty, (), message, suggestion % values))
    return findings


def handoff_findings(duty: DutyFacts, flow_pairs: frozenset[frozenset[int]]) -> list[Finding]:
    """MISSING_HANDOFF: the accountable role sits in one department and a responsible
    role in another, and no information flows between the two (in either direction),
    so the work is handed over without an agreed channel."""
    if not duty.active:
        return []
    accountable = _by_title(role for role in duty.accountable if role.active)
    responsible = _by_title(role for role in duty.responsible if role.active)
    missing: dict[tuple[str, str], tuple[RoleRef, RoleRef]] = {}
    for a_role in accountable:
        for r_role in responsible:
            pair = frozenset({a_role.department_id, r_role.department_id})
            if len(pair) == 2 and pair not in flow_pairs:
                missing.setdefault(
                    (a_role.department_code, r_role.department_code), (a_role, r_role)
                )
    findings = []
    for (a_code, r_code), (a_role, r_role) in sorted(missing.items()):
        values = {"duty": _where(duty), "a_department": a_code, "r_department": r_code}
        message = (
            _(
                "%(duty)s is accountable in %(a_department)s and done in %(r_department)s, "
                "but no information flow connects the two departments."
            )
            % values
        )
        suggestion = (
            _(
                "Record how %(a_department)s and %(r_department)s hand this work over "
                "(an information flow: what, through which channel, how often)."
            )
            % values
        )
        findings.append(_finding(MISSING_HANDOFF, duty, (a_role, r_role), message, suggestion))
    return findings


def analyse(
    duties: Iterable[DutyFacts],
    loads: Iterable[RoleLoad],
    duplicates: Iterable[DuplicateTitle],
    *,
    overload_limit: int = 15,
    flow_pairs: frozenset[frozenset[int]] | None = None,
) -> list[Finding]:
    """Every finding, in an order that does not depend on query order. Without
    `flow_pairs` (the department pairs connected by information flows) the hand-off
    rule is not applied."""
    duties = list(duties)
    findings = [finding for duty in duties for finding in duty_findings(duty)]
    if flow_pairs is not None:
        findings += [finding for duty in duties for finding in handoff_findings(duty, flow_pairs)]
    findings += [f for load in loads for f in role_findings(load, overload_limit=overload_limit)]
    findings += [finding for group in duplicates for finding in duplicate_findings(group)]
    return sort_findings(findings)
