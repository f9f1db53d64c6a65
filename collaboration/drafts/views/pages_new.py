"""What the draft's page shows of the duties and roles the draft adds."""

from __future__ import annotations

from .. import selectors_new
from ..forms_new import NewDutyForm, NewRoleForm
from ..models import Draft


def new_things_context(draft: Draft) -> dict:
    """The new duties and roles, the letters of their cells, and the empty forms that
    add more (three queries)."""
    return {
        "new_duties": selectors_new.new_duties(draft),
        "new_roles": selectors_new.new_roles(draft),
        "new_cells": selectors_new.new_cells(draft),
        "new_duty_form": NewDutyForm(auto_id="new-duty-%s"),
        "new_role_form": NewRoleForm(auto_id="new-role-%s"),
    }
