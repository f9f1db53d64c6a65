"""DRF permission classes. Every decision is orgmap/permissions.py's: a token can do
exactly what its person can do in the UI."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from orgmap import permissions


class IsActivePerson(BasePermission):
    """Reading needs an active, logged-in person (a member reads everything in the UI)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)


class WritesDecided(IsActivePerson):
    """Reads for everyone logged in; writes to an object decided by `may_write`."""

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return self.may_write(request.user, obj)

    def may_write(self, user, obj) -> bool:  # pragma: no cover - subclasses decide
        raise NotImplementedError


class CanEditRole(WritesDecided):
    def may_write(self, user, obj) -> bool:
        return permissions.can_edit_role(user, obj)


class CanEditRoleHolders(WritesDecided):
    def may_write(self, user, obj) -> bool:
        return permissions.can_edit_role_holders(user, obj.role)


class CanImportPeople(IsActivePerson):
    """The people import page's rule: org admins and HR."""

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and (
            permissions.is_org_admin(request.user) or permissions.is_hr(request.user)
        )
