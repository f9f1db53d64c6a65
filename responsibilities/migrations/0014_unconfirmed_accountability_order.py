"""UNCONFIRMED_ACCOUNTABILITY (issue 16) takes the reading position after
MISSING_HANDOFF, so the two role rules after it move one place down: their stored
findings' reading keys (raci.reading_key: code, then the rule's position as two
digits) are rewritten. Written out here so that this migration does not change when
raci.py does."""

from django.db import migrations

SEPARATOR = "\x01"
# rule: (position before, position after)
MOVED = {"ROLE_OVERLOADED": (9, 10), "ROLE_WITHOUT_DUTIES": (10, 11)}


def shifted(rule: str, key: str, *, forward: bool = True) -> str:
    """The reading key of a stored finding of `rule` after (or before) this migration."""
    if rule not in MOVED:
        return key
    before, after = MOVED[rule]
    old, new = (before, after) if forward else (after, before)
    parts = key.split(SEPARATOR)
    if len(parts) > 1 and parts[1] == f"{old:02d}":
        parts[1] = f"{new:02d}"
    return SEPARATOR.join(parts)


def _shift(apps, forward: bool) -> None:
    Finding = apps.get_model("responsibilities", "Finding")
    batch = []
    for row in Finding.objects.filter(rule__in=MOVED).only("rule", "sort_key"):
        row.sort_key = shifted(row.rule, row.sort_key, forward=forward)
        batch.append(row)
    Finding.objects.bulk_update(batch, ["sort_key"], batch_size=1000)


def forwards(apps, schema_editor):
    _shift(apps, forward=True)


def backwards(apps, schema_editor):
    _shift(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("responsibilities", "0013_import_jobs"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
