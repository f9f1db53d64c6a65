"""Stored findings get the key they are paged by (raci.reading_key), filled for the rows
that exist from their own columns. The key is written out here as it is defined today,
so that this migration does not change when raci.py does."""

from django.db import migrations, models

RULE_ORDER = [
    "NO_ACCOUNTABLE",
    "MULTIPLE_ACCOUNTABLE",
    "NO_RESPONSIBLE",
    "VACANT_ACCOUNTABLE",
    "VACANT_RESPONSIBLE",
    "INACTIVE_ROLE_ASSIGNED",
    "CROSS_DEPARTMENT_DUPLICATE",
    "DUPLICATE_DUTY",
    "MISSING_HANDOFF",
    "ROLE_OVERLOADED",
    "ROLE_WITHOUT_DUTIES",
]


def _key(row) -> str:
    # roles: [[id, title, department id, department code, active, vacant], ...]
    first_role = row.roles[0][1] if row.roles else ""
    order = RULE_ORDER.index(row.rule) if row.rule in RULE_ORDER else len(RULE_ORDER)
    return "\x01".join(
        (
            row.department_code,
            f"{order:02d}",
            row.duty_title.casefold(),
            row.duty_title,
            first_role.casefold(),
            first_role,
            f"{row.duty_id or 0:012d}",
            ",".join(f"{role[0]:012d}" for role in row.roles),
        )
    )


def fill_sort_keys(apps, schema_editor):
    Finding = apps.get_model("responsibilities", "Finding")
    batch = []
    for row in Finding.objects.only("rule", "department_code", "duty_title", "duty_id", "roles"):
        row.sort_key = _key(row)
        batch.append(row)
        if len(batch) >= 1000:
            Finding.objects.bulk_update(batch, ["sort_key"])
            batch = []
    Finding.objects.bulk_update(batch, ["sort_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("responsibilities", "0009_stored_findings"),
    ]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="sort_key",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_sort_keys, migrations.RunPython.noop, elidable=True),
    ]
