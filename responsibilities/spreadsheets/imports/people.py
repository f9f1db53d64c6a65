"""Import of people, departments, roles and holdings from an HR system's CSV."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orgmap.models import Department, Profile, Role, RoleHolder
from orgmap.webhooks import events as webhooks

from ... import findings_store
from ..sheets import SheetRow, Table
from .common import (
    DEPARTMENT_CODE_MAX,
    DEPARTMENT_NAME_MAX,
    ROLE_TITLE_MAX,
    Problem,
    _clean,
    _Columns,
    _Departments,
    _fold,
    _problem_order,
)

PEOPLE_COLUMNS = ("email", "name", "department", "role")
PEOPLE_OPTIONAL_COLUMNS = ("parent_department", "manager_email", "active")
_YES = {"yes", "y", "true", "1", "active", "是"}
_NO = {"no", "n", "false", "0", "inactive", "否"}


def department_code_for(name: str, taken: set[str]) -> str:
    """A readable code for a new department: the significant words of its name,
    upper-cased and joined by hyphens, as many as fit ("Architecture and
    Engineering" → ARCHITECTURE-ENGINEERING); -2, -3 … when already taken."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = [w.upper() for w in re.split(r"[^A-Za-z0-9]+", ascii_name) if w]
    words = [w for w in words if w not in {"AND", "OF", "THE", "FOR"}] or words
    room = DEPARTMENT_CODE_MAX - 3  # keep room for a "-NN" suffix
    code = ""
    for word in words:
        candidate = f"{code}-{word}" if code else word[:room]
        if len(candidate) > room:
            break
        code = candidate
    code = code or "DEPT"  # e.g. a name in Chinese characters only
    unique, counter = code, 2
    while unique.casefold() in taken:
        unique, counter = f"{code}-{counter}", counter + 1
    taken.add(unique.casefold())
    return unique


def username_for(email: str, taken: set[str]) -> str | None:
    """The part of the address before the @ when it is free, else the whole address."""
    local = re.sub(r"[^\w.@+-]", "", email.split("@", 1)[0].casefold())
    for candidate in (local, email.casefold()):
        if candidate and len(candidate) <= 150 and candidate not in taken:
            taken.add(candidate)
            return candidate
    return None


@dataclass
class PersonEntry:
    email: str
    name: str
    row: int
    user: AbstractBaseUser | None = None  # an existing account, or the one to create
    username: str = ""
    created: bool = False
    renamed_from: str | None = None


@dataclass
class PeoplePlan:
    rows: int
    problems: list[Problem] = field(default_factory=list)
    new_departments: list[Department] = field(default_factory=list)
    parent_changes: list[tuple[Department, Department]] = field(default_factory=list)
    new_roles: list[Role] = field(default_factory=list)
    active_changes: list[tuple[Role, bool]] = field(default_factory=list)
    manager_changes: list[tuple[Role, Role]] = field(default_factory=list)
    new_people: list[PersonEntry] = field(default_factory=list)
    renamed_people: list[PersonEntry] = field(default_factory=list)
    new_holdings: list[tuple[Role, PersonEntry]] = field(default_factory=list)
    vacant_rows: int = 0
    # Changes to what exists already, counted when planned (new departments and roles
    # get their parent, manager and flag when they are created).
    departments_moved: int = 0
    roles_updated: int = 0
    applied: bool = False

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def has_changes(self) -> bool:
        return any(
            (
                self.new_departments,
                self.parent_changes,
                self.new_roles,
                self.active_changes,
                self.manager_changes,
                self.new_people,
                self.renamed_people,
                self.new_holdings,
            )
        )

    def summary(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "departments_created": len(self.new_departments),
            "departments_moved": self.departments_moved,
            "roles_created": len(self.new_roles),
            "roles_updated": self.roles_updated,
            "people_created": len(self.new_people),
            "people_renamed": len(self.renamed_people),
            "holdings_created": len(self.new_holdings),
            "open_positions": self.vacant_rows,
        }


def _parse_active(text: str) -> bool | str | None:
    key = text.strip().casefold()
    if not key:
        return None
    if key in _YES:
        return True
    if key in _NO:
        return False
    return "invalid"


class _PeoplePlanner:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.columns = _Columns(table)
        self.plan = PeoplePlan(rows=len(table.rows))
        # Everything the checks need, loaded once: five queries whatever the file's size.
        departments = list(Department.objects.only("pk", "code", "name", "parent_id", "head_id"))
        self.departments = _Departments(departments)
        self.taken_codes = {_fold(d.code) for d in departments}
        self.parents: dict[int, int | None] = {d.pk: d.parent_id for d in departments}
        self.roles: dict[tuple[int, str], Role] = {
            (role.department_id, _fold(role.title)): role
            for role in Role.objects.only("pk", "title", "department_id", "active", "reports_to_id")
        }
        User = get_user_model()
        self.users_by_email: dict[str, list] = defaultdict(list)
        self.taken_usernames: set[str] = set()
        for user in User.objects.only("pk", User.USERNAME_FIELD, "email"):
            self.taken_usernames.add(user.get_username().casefold())
            if user.email:
                self.users_by_email[user.email.casefold()].append(user)
        self.display_names = dict(Profile.objects.values_list("user_id", "display_name"))
        self.holdings: dict[int, list[int]] = defaultdict(list)  # person -> roles held now
        # Holdings not yet ended, future ones included: the database allows one per role and person.
        not_ended = Q(until__isnull=True) | Q(until__gt=timezone.localdate())
        for role_id, person_id in RoleHolder.objects.filter(not_ended).values_list(
            "role_id", "person_id"
        ):
            self.holdings[person_id].append(role_id)
        self.roles_by_pk = {role.pk: role for role in self.roles.values()}
        self.heads = {d.head_id for d in departments if d.head_id}
        # What the file asks for, keyed so that a second mention is checked against the first.
        self.new_departments: dict[str, Department] = {}  # folded name -> unsaved department
        self.parent_of: dict[int, tuple[Department, int]] = {}  # id(department) -> (parent, row)
        self.active_of: dict[int, tuple[bool, int]] = {}  # id(role) -> (active, row)
        # id(role) -> (manager email, row, the manager's role)
        self.manager_of: dict[int, tuple[str, int, Role]] = {}
        self.people: dict[str, PersonEntry] = {}
        self.file_roles: dict[str, list[Role]] = defaultdict(list)  # email -> roles in the file
        self.holding_keys: set[tuple[int, str]] = set()
        self.new_roles: dict[tuple[int, str], Role] = {}

    def problem(self, row: int | None, position: int | None, message: str) -> None:
        self.plan.problems.append(self.columns.problem(row, position, message))

    # -------------------------------------------------------------- lookups

    def department(self, text: str, *, create: bool) -> Department | None:
        existing, _message = self.departments.find(text)
        if existing is not None:
            return existing
        key = _fold(text)
        if key in self.new_departments:
            return self.new_departments[key]
        if not create:
            return None
        department = Department(
            name=_clean(text), code=department_code_for(_clean(text), self.taken_codes)
        )
        self.new_departments[key] = department
        return department

    def role(self, department: Department, title: str) -> Role:
        key = (id(department) if department.pk is None else department.pk, _fold(title))
        if department.pk is not None and (department.pk, _fold(title)) in self.roles:
            return self.roles[(department.pk, _fold(title))]
        if key not in self.new_roles:
            self.new_roles[key] = Role(department=department, title=_clean(title))
        return self.new_roles[key]

    # -------------------------------------------------------------- rows

    def run(self) -> PeoplePlan:
        positions = {name: self.columns.find(name) for name in PEOPLE_COLUMNS}
        positions |= {name: self.columns.find(name) for name in PEOPLE_OPTIONAL_COLUMNS}
        missing = [name for name in PEOPLE_COLUMNS if positions[name] is None]
        for name in missing:
            self.plan.problems.append(
                Problem(
                    self.table.header_row,
                    "",
                    name,
                    _(
                        "The column “%(name)s” is missing. A people file needs the columns %(columns)s."
                    )
                    % {"name": name, "columns": ", ".join(PEOPLE_COLUMNS)},
                )
            )
        if missing:
            return self.plan
        if not self.table.rows:
            self.problem(self.table.header_row, None, _("The file has a header but no rows."))
        rows = [(row, self.read_row(row, positions)) for row in self.table.rows]
        # Managers are resolved after every row is read: a manager may appear further down.
        for row, role in rows:
            if role is not None and row.get(positions["manager_email"]):
                self.manager(row, positions["manager_email"], role)
        self.check_parent_cycles()
        self.check_manager_cycles()
        self.finish()
        self.plan.problems.sort(key=_problem_order)
        return self.plan

    def read_row(self, row: SheetRow, positions: dict[str, int | None]) -> Role | None:
        failed = False
        email = row.get(positions["email"]).strip()
        name = _clean(row.get(positions["name"]))
        department_text = _clean(row.get(positions["department"]))
        title = _clean(row.get(positions["role"]))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self.problem(
                    row.number,
                    positions["email"],
                    _("“%(email)s” is not a valid email address.") % {"email": email},
                )
                failed = True
        elif name:
            self.problem(
                row.number,
                positions["email"],
                _(
                    "%(name)s has no email address: give one, or leave the name empty for an open position."
                )
                % {"name": name},
            )
            failed = True
        if not department_text:
            self.problem(row.number, positions["department"], _("Give the department."))
            failed = True
        elif len(department_text) > DEPARTMENT_NAME_MAX:
            self.problem(
                row.number,
                positions["department"],
                _("The department name is longer than %(max)s characters.")
                % {"max": DEPARTMENT_NAME_MAX},
            )
            failed = True
        if not title:
            self.problem(row.number, positions["role"], _("Give the role."))
            failed = True
        elif len(title) > ROLE_TITLE_MAX:
            self.problem(
                row.number,
                positions["role"],
                _("The role title is longer than %(max)s characters.") % {"max": ROLE_TITLE_MAX},
            )
            failed = True
        active = _parse_active(row.get(positions["active"]))
        if active == "invalid":
            self.problem(
                row.number,
                positions["active"],
                _("“%(value)s” is not yes or no.") % {"value": row.get(positions["active"])},
            )
            failed = True
        manager_email = row.get(positions["manager_email"]).strip()
        if manager_email:
            try:
                validate_email(manager_email)
            except ValidationError:
                self.problem(
                    row.number,
                    positions["manager_email"],
                    _("“%(email)s” is not a valid email address.") % {"email": manager_email},
                )
                failed = True
        parent_text = _clean(row.get(positions["parent_department"]))
        if failed:
            return None

        department = self.department(department_text, create=True)
        if parent_text:
            self.parent(row, positions["parent_department"], department, parent_text)
        role = self.role(department, title)
        if active is not None:
            first = self.active_of.setdefault(id(role), (active, row.number))
            if first[0] != active:
                self.problem(
                    row.number,
                    positions["active"],
                    _("Row %(first)s says this role is %(other)s.")
                    % {"first": first[1], "other": _("active") if first[0] else _("inactive")},
                )
        if not email:
            self.plan.vacant_rows += 1
            return role
        person = self.person(row, positions, email, name)
        if person is None:
            return role
        self.file_roles[email.casefold()].append(role)
        key = (id(role), email.casefold())
        if key not in self.holding_keys:
            self.holding_keys.add(key)
            held_now = (
                person.user is not None
                and person.user.pk is not None
                and role.pk is not None
                and role.pk in self.holdings.get(person.user.pk, ())
            )
            if not held_now:
                self.plan.new_holdings.append((role, person))
        return role

    def person(
        self, row: SheetRow, positions: dict[str, int | None], email: str, name: str
    ) -> PersonEntry | None:
        key = email.casefold()
        entry = self.people.get(key)
        if entry is not None:
            if name and entry.name and name != entry.name:
                self.problem(
                    row.number,
                    positions["name"],
                    _("%(email)s is named “%(other)s” on row %(first)s; one person has one name.")
                    % {"email": email, "other": entry.name, "first": entry.row},
                )
                return None
            return entry
        accounts = self.users_by_email.get(key, [])
        if len(accounts) > 1:
            self.problem(
                row.number,
                positions["email"],
                _("Several accounts have the address %(email)s (%(usernames)s); fix that first.")
                % {
                    "email": email,
                    "usernames": ", ".join(sorted(a.get_username() for a in accounts)),
                },
            )
            return None
        entry = PersonEntry(email=email, name=name, row=row.number)
        if accounts:
            entry.user = accounts[0]
            entry.username = entry.user.get_username()
            current = self.display_names.get(entry.user.pk, "")
            if name and name != current:
                entry.renamed_from = current
                self.plan.renamed_people.append(entry)
        else:
            username = username_for(email, self.taken_usernames)
            if username is None:
                self.problem(
                    row.number,
                    positions["email"],
                    _("No free username can be made from %(email)s.") % {"email": email},
                )
                return None
            entry.username = username
            entry.created = True
            self.plan.new_people.append(entry)
        self.people[key] = entry
        return entry

    def parent(
        self, row: SheetRow, position: int | None, department: Department, text: str
    ) -> None:
        parent = self.department(text, create=False)
        if parent is None:
            self.problem(
                row.number,
                position,
                _(
                    "Unknown parent department “%(name)s”: it is neither an existing department nor one in this file."
                )
                % {"name": text},
            )
            return
        if parent is department:
            self.problem(row.number, position, _("A department cannot be its own parent."))
            return
        first = self.parent_of.setdefault(id(department), (parent, row.number))
        if first[0] is not parent:
            self.problem(
                row.number,
                position,
                _("Row %(first)s puts %(department)s under %(other)s.")
                % {"first": first[1], "department": department.name, "other": first[0].name},
            )

    def manager(self, row: SheetRow, position: int | None, role: Role) -> None:
        email = row.get(position).strip()
        key = email.casefold()
        # The roles the person holds: in the file (once each), then already in orgmap.
        candidates: list[Role] = list({id(r): r for r in self.file_roles.get(key, [])}.values())
        accounts = self.users_by_email.get(key, [])
        if len(accounts) == 1:
            for role_id in self.holdings.get(accounts[0].pk, ()):
                held = self.roles_by_pk.get(role_id)
                if held is not None and held not in candidates:
                    candidates.append(held)
        if not candidates:
            message = (
                _("%(email)s holds no role, so nobody can report to them.")
                if key in self.people or accounts
                else _("No person with the address %(email)s, in this file or in orgmap.")
            )
            self.problem(row.number, position, message % {"email": email})
            return
        if len(candidates) > 1:
            heads = [r for r in candidates if r.pk is not None and r.pk in self.heads]
            if len(heads) != 1:
                self.problem(
                    row.number,
                    position,
                    _(
                        "%(email)s holds several roles (%(roles)s); which one is the manager is unclear."
                    )
                    % {"email": email, "roles": ", ".join(r.title for r in candidates)},
                )
                return
            candidates = heads
        manager_role = candidates[0]
        if manager_role is role:
            self.problem(row.number, position, _("A role cannot report to itself."))
            return
        first = self.manager_of.setdefault(id(role), (email, row.number, manager_role))
        if first[2] is not manager_role:
            self.problem(
                row.number,
                position,
                _("Row %(first)s says this role reports to %(other)s.")
                % {"first": first[1], "other": first[0]},
            )

    # -------------------------------------------------------------- whole-file checks

    def check_parent_cycles(self) -> None:
        def parent_of(department: Department) -> Department | None:
            if id(department) in self.parent_of:
                return self.parent_of[id(department)][0]
            if department.pk is None or self.parents.get(department.pk) is None:
                return None
            return self.departments.by_pk.get(self.parents[department.pk])

        departments = {id(d): d for d in self.departments.by_pk.values()}
        departments |= {id(d): d for d in self.new_departments.values()}
        position = self.columns.find("parent_department")
        for key, (_parent, row) in self.parent_of.items():
            department, seen, current = departments[key], set(), departments[key]
            while current is not None and id(current) not in seen:
                seen.add(id(current))
                current = parent_of(current)
                if current is department:
                    self.problem(
                        row,
                        position,
                        _("This would put %(department)s under itself (a loop of parents).")
                        % {"department": department.name},
                    )
                    break

    def check_manager_cycles(self) -> None:
        def manager_of(role: Role) -> Role | None:
            if id(role) in self.manager_of:
                return self.manager_of[id(role)][2]
            return self.roles_by_pk.get(role.reports_to_id) if role.reports_to_id else None

        roles = {id(r): r for r in self.roles.values()} | {
            id(r): r for r in self.new_roles.values()
        }
        position = self.columns.find("manager_email")
        for key, (_email, row, _manager) in self.manager_of.items():
            role, seen, current = roles[key], set(), roles[key]
            while current is not None and id(current) not in seen:
                seen.add(id(current))
                current = manager_of(current)
                if current is role:
                    self.problem(
                        row,
                        position,
                        _("This would make %(role)s report to itself (a loop of managers).")
                        % {"role": role.title},
                    )
                    break

    def finish(self) -> None:
        plan = self.plan
        plan.new_departments = list(self.new_departments.values())
        departments = {id(d): d for d in self.departments.by_pk.values()}
        departments |= {id(d): d for d in plan.new_departments}
        for key, (parent, _row) in self.parent_of.items():
            department = departments[key]
            if department.pk is None or self.parents.get(department.pk) != parent.pk:
                plan.parent_changes.append((department, parent))
        plan.new_roles = list(self.new_roles.values())
        roles = {id(r): r for r in self.roles.values()} | {id(r): r for r in plan.new_roles}
        for key, (active, _row) in self.active_of.items():
            role = roles[key]
            # A new role is active unless the file says otherwise.
            if role.active != active:
                plan.active_changes.append((role, active))
        for key, (_email, _row, manager) in self.manager_of.items():
            role = roles[key]
            if role.pk is None or manager.pk is None or role.reports_to_id != manager.pk:
                plan.manager_changes.append((role, manager))
        plan.departments_moved = sum(1 for d, _parent in plan.parent_changes if d.pk is not None)
        plan.roles_updated = len(
            {
                role.pk
                for role, _value in [*plan.active_changes, *plan.manager_changes]
                if role.pk is not None
            }
        )


def plan_people(table: Table) -> PeoplePlan:
    """Check a people table against the database and list what an import would do."""
    return _PeoplePlanner(table).run()


def apply_people_plan(plan: PeoplePlan) -> None:
    """Write a valid plan in bulk: departments, roles, people, profiles, holdings."""
    if not plan.valid:
        raise ValueError("A plan with problems cannot be applied.")
    Department.objects.bulk_create(plan.new_departments)
    moved = []
    for department, parent in plan.parent_changes:
        department.parent = parent
        moved.append(department)
    Department.objects.bulk_update(moved, ["parent"])
    for role, active in plan.active_changes:
        role.active = active
    # Assigning the (now saved) department again sets department_id on the new roles.
    for role in plan.new_roles:
        role.department = role.department
    Role.objects.bulk_create(plan.new_roles, batch_size=1000)
    new_role_ids = {id(role) for role in plan.new_roles}
    existing_changed = [
        role for role, _active in plan.active_changes if id(role) not in new_role_ids
    ]
    Role.objects.bulk_update(existing_changed, ["active"], batch_size=1000)
    reporting = []
    for role, manager in plan.manager_changes:
        role.reports_to = manager
        reporting.append(role)
    Role.objects.bulk_update(reporting, ["reports_to"], batch_size=1000)

    User = get_user_model()
    unusable = make_password(None)  # they set a password through "forgot password"
    users = []
    for entry in plan.new_people:
        user = User(email=entry.email, is_active=True, password=unusable)
        setattr(user, User.USERNAME_FIELD, entry.username)
        entry.user = user
        users.append(user)
    User.objects.bulk_create(users, batch_size=1000)
    # bulk_create sends no post_save, so the profiles the signal would make are made here.
    Profile.objects.bulk_create(
        [Profile(user=entry.user, display_name=entry.name) for entry in plan.new_people],
        batch_size=1000,
    )
    renamed = {entry.user.pk: entry.name for entry in plan.renamed_people}
    profiles = list(Profile.objects.filter(user_id__in=renamed))
    for profile in profiles:
        profile.display_name = renamed[profile.user_id]
    Profile.objects.bulk_update(profiles, ["display_name"], batch_size=1000)
    today = timezone.localdate()
    holdings = RoleHolder.objects.bulk_create(
        [
            RoleHolder(role=role, person=entry.user, since=today)
            for role, entry in plan.new_holdings
        ],
        batch_size=1000,
    )
    webhooks.role_holders_added(holdings)
    # Bulk writes send no signals: refresh the findings they can change, here.
    findings_store.people_imported(
        role_ids={role.pk for role in plan.new_roles}
        | {role.pk for role, _active in plan.active_changes}
        | {role.pk for role, _entry in plan.new_holdings},
        moved_department_ids={department.pk for department in moved},
    )
    plan.applied = True


def people_import(table: Table, *, dry_run: bool = False) -> PeoplePlan:
    if dry_run:
        return plan_people(table)
    try:
        with transaction.atomic():
            plan = plan_people(table)
            if plan.valid:
                apply_people_plan(plan)
    except IntegrityError:
        plan.applied = False
        plan.problems.append(
            Problem(
                None,
                "",
                "",
                _(
                    "The organisation changed while the file was being imported; nothing was written. Try again."
                ),
            )
        )
    return plan
