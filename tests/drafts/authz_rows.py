"""Rows of the authorization table (tests/test_authorization_table.py) for the drafts'
URLs. A draft by sales_manager (manager) that gives a Production role a letter on a
Sales duty: its author edits it; Production's manager (other_manager) and org admins see
it; a second one waits for Production's answer. Org admins publish directly."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse

from collaboration.drafts import services, services_new, services_structure
from collaboration.drafts.models import Draft
from orgmap.models import Role
from responsibilities.models import Duty


def _drafts():
    author = get_user_model().objects.get(username="sales_manager")
    duty = Duty.objects.get(title="Negotiate key customer contracts")
    role = Role.objects.filter(department__code="PROD").order_by("pk").first()
    drafts = []
    for name in ("Authz open", "Authz asked"):
        draft = Draft.objects.filter(name=name).first()
        if draft is None:
            draft = services.draft_create(name=name, author=author)
            services.draft_cell_set(draft=draft, duty=duty, role=role, letter="C")
            if name == "Authz open":  # a duty and a role it adds (services_new)
                services_new.draft_new_duty_save(
                    draft=draft, title="Authz new duty", department=duty.department
                )
                services_new.draft_new_role_save(
                    draft=draft, title="Authz new role", department=duty.department
                )
            if name == "Authz open":  # a flow between the same two departments
                services_structure.draft_flow_add(
                    draft=draft,
                    from_department=duty.department,
                    to_department=role.department,
                    information="Authz orders",
                    channel="email",
                    frequency="daily",
                )
            if name == "Authz asked":
                services.draft_submit(draft=draft, by=author)
        drafts.append(draft)
    return drafts[0], drafts[1], duty, role


def draft_rows(helpers) -> dict:
    read, edit, logged_in = helpers.read, helpers.edit, helpers.LOGGED_IN
    draft, asked, duty, role = _drafts()
    change = draft.cells.get()
    new_duty, new_role = draft.new_duties.get(), draft.new_roles.get()
    flow = draft.flow_changes.get()
    approval = asked.approvals.get(department__code="PROD")
    login = (helpers.LOGIN, helpers.LOGIN)
    post_only = {"anonymous": login, **{p: (405, 403) for p in logged_in}}
    author_only = {**post_only, "manager": (405, 302)}
    concerned = {"manager", "other_manager", "admin"}
    return {
        # An empty POST is a form with errors (422) for those who may create drafts.
        "draft-list": (
            reverse("draft-list"),
            {
                **read(post=422),
                "member": (200, 403),
                "hr": (200, 403),
            },
        ),
        "draft-detail": (
            reverse("draft-detail", args=[draft.pk]),
            {
                **edit(concerned, post=405),
                **{p: (403, 405) for p in logged_in if p not in concerned},
            },
        ),
        "draft-matrix": (
            reverse("draft-matrix", args=[draft.pk, "SALES"]),
            {
                **edit(concerned, post=405),
                **{p: (403, 405) for p in logged_in if p not in concerned},
            },
        ),
        "draft-matrix-export": (
            reverse("draft-matrix-export", args=[draft.pk, "SALES"]),
            {
                **edit(concerned, post=405),
                **{p: (403, 405) for p in logged_in if p not in concerned},
            },
        ),
        **_in_draft_rows(draft, duty, role, concerned, logged_in, edit),
        "draft-cell": (
            reverse("draft-cell", args=[draft.pk, duty.pk, role.pk]),
            edit({"manager"}, post=302),
        ),
        "draft-duty": (
            reverse("draft-duty", args=[draft.pk, duty.pk]),
            edit({"manager"}, post=422),
        ),
        # Duties and roles the draft adds; an empty POST is a form with errors.
        "draft-new-cell": (
            reverse("draft-new-cell", args=[draft.pk, -new_duty.pk, -new_role.pk]),
            edit({"manager"}, post=302),
        ),
        "draft-new-duty-add": (
            reverse("draft-new-duty-add", args=[draft.pk]),
            edit({"manager"}, post=422),
        ),
        "draft-new-duty": (
            reverse("draft-new-duty", args=[draft.pk, new_duty.pk]),
            edit({"manager"}, post=422),
        ),
        "draft-new-duty-delete": (
            reverse("draft-new-duty-delete", args=[draft.pk, new_duty.pk]),
            author_only,
        ),
        "draft-new-role-add": (
            reverse("draft-new-role-add", args=[draft.pk]),
            edit({"manager"}, post=422),
        ),
        "draft-new-role": (
            reverse("draft-new-role", args=[draft.pk, new_role.pk]),
            edit({"manager"}, post=422),
        ),
        "draft-new-role-delete": (
            reverse("draft-new-role-delete", args=[draft.pk, new_role.pk]),
            author_only,
        ),
        "draft-submit": (reverse("draft-submit", args=[draft.pk]), author_only),
        "draft-discard": (reverse("draft-discard", args=[draft.pk]), author_only),
        "draft-reopen": (reverse("draft-reopen", args=[draft.pk]), author_only),
        "draft-delete": (reverse("draft-delete", args=[draft.pk]), author_only),
        "draft-conflict": (
            reverse("draft-conflict", args=[draft.pk, "cell", change.pk]),
            author_only,
        ),
        # Roles, people and flows (views/structure.py): the author's, while editable.
        "draft-role-change": (
            reverse("draft-role-change", args=[draft.pk, role.pk]),
            edit({"manager"}, post=422),
        ),
        "draft-role-people": (
            reverse("draft-role-people", args=[draft.pk, role.pk]),
            {**post_only, "manager": (405, 422)},
        ),
        "draft-flows": (reverse("draft-flows", args=[draft.pk]), edit({"manager"}, post=422)),
        "draft-lookup": (
            reverse("draft-lookup", args=[draft.pk, "roles"]),
            {**edit({"manager"}, post=405), **{p: (403, 405) for p in logged_in if p != "manager"}},
        ),
        "draft-structure-undo": (
            reverse("draft-structure-undo", args=[draft.pk, "flow", flow.pk]),
            author_only,
        ),
        "draft-publish": (
            reverse("draft-publish", args=[draft.pk]),
            {**post_only, "admin": (405, 302)},
        ),
        # The form's errors go back to the draft's page as messages.
        "draft-answer": (
            reverse("draft-answer", args=[asked.pk, approval.pk]),
            {**post_only, "other_manager": (405, 302), "admin": (405, 302)},
        ),
    }


def _in_draft_rows(draft, duty, role, concerned, logged_in, edit) -> dict:
    """The pages and exports in a draft: whoever may see the draft, read only."""
    seen = {
        **edit(concerned, post=405),
        **{p: (403, 405) for p in logged_in if p not in concerned},
    }
    return {
        name: (reverse(name, args=[draft.pk, *args]), seen)
        for name, args in {
            "draft-matrix-xlsx": ["SALES"],
            "draft-department": ["SALES"],
            "draft-role": [role.pk],
            "draft-role-document": [role.pk, "docx"],
            "draft-findings": [],
        }.items()
    }
