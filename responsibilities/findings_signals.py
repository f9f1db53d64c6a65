"""The model signals that keep stored findings current for writes that do not go
through a service (forms, the admin, the shell): each refreshes exactly what its write
can change (findings_store.py)."""

from __future__ import annotations

import threading

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from orgmap.models import Department, Role, RoleHolder

from .findings_store import (
    DEPARTMENT_FIELDS,
    DUTY_FIELDS,
    ROLE_FIELDS,
    department_changed,
    findings_refresh,
    flow_changed,
    project_duties_changed,
    role_dependents,
    roles_changed,
)
from .models import Duty

# ------------------------------------------------------------------ signals

_local = threading.local()


def _before(instance, fields: tuple[str, ...]) -> dict | None:
    if instance.pk is None:
        return None
    return type(instance).objects.filter(pk=instance.pk).values(*fields).first()


def _changed(instance, old: dict | None, fields: tuple[str, ...]) -> bool:
    return old is None or any(getattr(instance, name) != old[name] for name in fields)


def _skip(kwargs: dict) -> bool:
    """Fixture loading (raw) writes rows as they are; `findings --rebuild` follows it."""
    return kwargs.get("raw", False)


def _relevant(kwargs: dict, fields: tuple[str, ...]) -> bool:
    update_fields = kwargs.get("update_fields")
    if update_fields is None:
        return True
    names = {name.removesuffix("_id") for name in fields}
    return bool(names & {name.removesuffix("_id") for name in update_fields})


def _duty_pre_save(sender, instance: Duty, **kwargs) -> None:
    if not _skip(kwargs) and _relevant(kwargs, DUTY_FIELDS):
        instance._findings_before = _before(instance, DUTY_FIELDS)


def _duty_post_save(sender, instance: Duty, created: bool, **kwargs) -> None:
    if _skip(kwargs) or not _relevant(kwargs, DUTY_FIELDS):
        return
    old = getattr(instance, "_findings_before", None)
    instance._findings_before = None
    if not created and not _changed(instance, old, DUTY_FIELDS):
        return
    role_ids: set[int] = set()
    if old is not None and old["active"] != instance.active:
        # Loads count active duties only.
        role_ids = set(instance.assignments.values_list("role_id", flat=True))
    findings_refresh(
        duty_ids={instance.pk},
        role_ids=role_ids,
        match_keys={instance.match_key, old["match_key"] if old else ""},
    )


def _duty_pre_delete(sender, instance: Duty, **kwargs) -> None:
    instance._findings_before = {
        "role_ids": set(instance.assignments.values_list("role_id", flat=True)),
        "match_key": instance.match_key,
    }


def _duty_post_delete(sender, instance: Duty, **kwargs) -> None:
    old = getattr(instance, "_findings_before", None) or {}
    # The duty's own findings went with it (on_delete=CASCADE).
    findings_refresh(role_ids=old.get("role_ids", ()), match_keys={old.get("match_key", "")})


def _role_pre_save(sender, instance: Role, **kwargs) -> None:
    if not _skip(kwargs) and _relevant(kwargs, ROLE_FIELDS):
        instance._findings_before = _before(instance, ROLE_FIELDS)


def _role_post_save(sender, instance: Role, created: bool, **kwargs) -> None:
    if _skip(kwargs) or not _relevant(kwargs, ROLE_FIELDS):
        return
    old = getattr(instance, "_findings_before", None)
    instance._findings_before = None
    if created:
        findings_refresh(role_ids={instance.pk})
    elif _changed(instance, old, ROLE_FIELDS):
        roles_changed({instance.pk})


def _deleting_roles() -> set[int]:
    """Roles being deleted in this thread: their cascaded holdings must not store new
    findings about them between the collector's collection and the role's delete."""
    if not hasattr(_local, "deleting_roles"):
        _local.deleting_roles = set()
    return _local.deleting_roles


def _role_pre_delete(sender, instance: Role, **kwargs) -> None:
    _deleting_roles().add(instance.pk)
    dependents = role_dependents({instance.pk})
    dependents.pop("role_ids", None)  # its own findings go with it (CASCADE)
    instance._findings_before = dependents


def _role_post_delete(sender, instance: Role, **kwargs) -> None:
    _deleting_roles().discard(instance.pk)
    findings_refresh(**(getattr(instance, "_findings_before", None) or {}))


def _holder_pre_save(sender, instance: RoleHolder, **kwargs) -> None:
    if not _skip(kwargs):
        instance._findings_before = _before(instance, ("role_id",))


def _holder_post_save(sender, instance: RoleHolder, **kwargs) -> None:
    if _skip(kwargs):
        return
    old = getattr(instance, "_findings_before", None)
    roles_changed({instance.role_id} | ({old["role_id"]} if old else set()))


def _holder_post_delete(sender, instance: RoleHolder, **kwargs) -> None:
    if instance.role_id not in _deleting_roles():  # not a cascade from the role's delete
        roles_changed({instance.role_id})


def _department_pre_save(sender, instance: Department, **kwargs) -> None:
    if not _skip(kwargs):
        instance._findings_before = _before(instance, DEPARTMENT_FIELDS)


def _department_post_save(sender, instance: Department, created: bool, **kwargs) -> None:
    old = getattr(instance, "_findings_before", None)
    instance._findings_before = None
    if _skip(kwargs) or created or old is None:
        return  # a new department has no duties or roles yet
    if _changed(instance, old, DEPARTMENT_FIELDS):
        department_changed(instance, old)


def _project_pre_save(sender, instance, **kwargs) -> None:
    if not _skip(kwargs):
        instance._findings_before = _before(instance, ("code",))


def _project_post_save(sender, instance, created: bool, **kwargs) -> None:
    old = getattr(instance, "_findings_before", None)
    instance._findings_before = None
    if not _skip(kwargs) and not created and old and old["code"] != instance.code:
        project_duties_changed(instance.pk)  # the code is written into messages


def _project_departments_changed(sender, instance, action: str, reverse: bool, **kwargs) -> None:
    # No rule reads a project's departments today; refreshing its duties keeps the
    # stored findings right if one starts to (the cost is one project's duties).
    if action in ("post_add", "post_remove", "post_clear"):
        if reverse:
            for project_id in kwargs.get("pk_set") or ():
                project_duties_changed(project_id)
        else:
            project_duties_changed(instance.pk)


_FLOW_FIELDS = ("from_department_id", "to_department_id", "active")


def _flow_pre_save(sender, instance, **kwargs) -> None:
    if not _skip(kwargs):
        instance._findings_before = _before(instance, _FLOW_FIELDS)


def _flow_post_save(sender, instance, created: bool, **kwargs) -> None:
    old = getattr(instance, "_findings_before", None)
    instance._findings_before = None
    if _skip(kwargs) or not _changed(instance, old, _FLOW_FIELDS):
        return
    pairs = {(instance.from_department_id, instance.to_department_id)}
    if old:
        pairs.add((old["from_department_id"], old["to_department_id"]))
    flow_changed(pairs)


def _flow_post_delete(sender, instance, **kwargs) -> None:
    flow_changed({(instance.from_department_id, instance.to_department_id)})


# Named as "app.Model": signals accept lazy references.
PROJECT = "orgmap.Project"
FLOW = "responsibilities.InformationFlow"


def connect() -> None:
    """Called once from the app config's ready()."""
    uid = "findings_store"
    pre_save.connect(_duty_pre_save, sender=Duty, dispatch_uid=f"{uid}.duty.pre")
    post_save.connect(_duty_post_save, sender=Duty, dispatch_uid=f"{uid}.duty.post")
    pre_delete.connect(_duty_pre_delete, sender=Duty, dispatch_uid=f"{uid}.duty.pre_del")
    post_delete.connect(_duty_post_delete, sender=Duty, dispatch_uid=f"{uid}.duty.post_del")
    pre_save.connect(_role_pre_save, sender=Role, dispatch_uid=f"{uid}.role.pre")
    post_save.connect(_role_post_save, sender=Role, dispatch_uid=f"{uid}.role.post")
    pre_delete.connect(_role_pre_delete, sender=Role, dispatch_uid=f"{uid}.role.pre_del")
    post_delete.connect(_role_post_delete, sender=Role, dispatch_uid=f"{uid}.role.post_del")
    pre_save.connect(_holder_pre_save, sender=RoleHolder, dispatch_uid=f"{uid}.holder.pre")
    post_save.connect(_holder_post_save, sender=RoleHolder, dispatch_uid=f"{uid}.holder.post")
    post_delete.connect(
        _holder_post_delete, sender=RoleHolder, dispatch_uid=f"{uid}.holder.post_del"
    )
    pre_save.connect(_department_pre_save, sender=Department, dispatch_uid=f"{uid}.dept.pre")
    post_save.connect(_department_post_save, sender=Department, dispatch_uid=f"{uid}.dept.post")
    pre_save.connect(_project_pre_save, sender=PROJECT, dispatch_uid=f"{uid}.project.pre")
    post_save.connect(_project_post_save, sender=PROJECT, dispatch_uid=f"{uid}.project.post")
    pre_save.connect(_flow_pre_save, sender=FLOW, dispatch_uid=f"{uid}.flow.pre")
    post_save.connect(_flow_post_save, sender=FLOW, dispatch_uid=f"{uid}.flow.post")
    post_delete.connect(_flow_post_delete, sender=FLOW, dispatch_uid=f"{uid}.flow.post_del")
    from django.apps import apps

    through = apps.get_model(PROJECT).departments.through
    m2m_changed.connect(
        _project_departments_changed, sender=through, dispatch_uid=f"{uid}.project.departments"
    )
