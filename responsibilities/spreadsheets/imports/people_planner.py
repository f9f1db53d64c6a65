"""Checking a people file against the organisation: every row, then the whole file
(loops of parents and of managers), into a PeoplePlan. Nothing is written here."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orgmap.models import Department, Profile, Role, RoleHolder

from ..sheets import SheetRow, Table
from .common import Problem, _clean, _Columns, _Departments, _fold, _problem_order
from .people_plan import (
    PEOPLE_COLUMNS,
    PEOPLE_OPTIONAL_COLUMNS,
    PeoplePlan,
    PersonEntry,
    department_code_for,
    username_for,
)
from .people_rows import Positions, read_person_row


class _PeoplePlanner:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.columns = _Columns(table)
        self.plan = PeoplePlan(rows=len(table.rows))
        # Everything the checks need, loaded once: five queries whatever the file's size.
        self._load_organisation()
        self._load_people()
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

    def _load_organisation(self) -> None:
        departments = list(Department.objects.only("pk", "code", "name", "parent_id", "head_id"))
        self.departments = _Departments(departments)
        self.taken_codes = {_fold(d.code) for d in departments}
        self.parents: dict[int, int | None] = {d.pk: d.parent_id for d in departments}
        self.heads = {d.head_id for d in departments if d.head_id}
        self.roles: dict[tuple[int, str], Role] = {
            (role.department_id, _fold(role.title)): role
            for role in Role.objects.only("pk", "title", "department_id", "active", "reports_to_id")
        }
        self.roles_by_pk = {role.pk: role for role in self.roles.values()}

    def _load_people(self) -> None:
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

    def read_row(self, row: SheetRow, positions: Positions) -> Role | None:
        fields, problems = read_person_row(row, positions)
        for position, message in problems:
            self.problem(row.number, position, message)
        if problems:
            return None
        department = self.department(fields.department, create=True)
        if fields.parent_department:
            self.parent(row, positions["parent_department"], department, fields.parent_department)
        role = self.role(department, fields.role)
        if fields.active is not None:
            self.active(row, positions["active"], role, fields.active)
        if not fields.email:
            self.plan.vacant_rows += 1
            return role
        person = self.person(row, positions, fields.email, fields.name)
        if person is not None:
            self.hold(role, person)
        return role

    def active(self, row: SheetRow, position: int | None, role: Role, active: bool) -> None:
        first = self.active_of.setdefault(id(role), (active, row.number))
        if first[0] != active:
            self.problem(
                row.number,
                position,
                _("Row %(first)s says this role is %(other)s.")
                % {"first": first[1], "other": _("active") if first[0] else _("inactive")},
            )

    def hold(self, role: Role, person: PersonEntry) -> None:
        """The person holds the role: a new holding unless they hold it already."""
        email = person.email.casefold()
        self.file_roles[email].append(role)
        key = (id(role), email)
        if key in self.holding_keys:
            return
        self.holding_keys.add(key)
        user = person.user
        held_now = (
            user is not None
            and user.pk is not None
            and role.pk is not None
            and role.pk in self.holdings.get(user.pk, ())
        )
        if not held_now:
            self.plan.new_holdings.append((role, person))

    def person(
        self, row: SheetRow, positions: Positions, email: str, name: str
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
