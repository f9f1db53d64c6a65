"""The duty's search text stored in lower case, matched with LIKE (PostgreSQL).

A search word was matched with ILIKE, which in a UTF-8 database lowers the whole text of
every candidate row before comparing: "machine operators" rechecks ~1,000 duties of the
O*NET organisation, 11 ms with ILIKE against 4 ms with LIKE on text lowered once, when
it is written. The search lowers its words (responsibilities/search.py); the trigram
index serves LIKE as it served ILIKE. The triggers of migrations 0007 and 0011 write the
text lowered from now on, and the existing texts are lowered here (the row trigger
fires only on a change of title, description or KPIs).
"""

from django.db import migrations


def _functions(text: str) -> str:
    """The trigger function and the refresh after an owner change (migration 0011's),
    with the search text computed by `text` from title, owners, description, KPIs."""
    return f"""
CREATE OR REPLACE FUNCTION responsibilities_duty_search_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    owners text;
BEGIN
    owners := CASE WHEN TG_OP = 'INSERT' THEN ''
                   ELSE responsibilities_duty_owner_titles(NEW.id) END;
    NEW.search_vector := responsibilities_duty_vector(
        NEW.title, owners, NEW.description || ' ' || NEW.kpis);
    NEW.search_text := {text.format(d="NEW", owners="owners")};
    NEW.search_grams := responsibilities_cjk_grams(NEW.search_text);
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION responsibilities_duty_search_refresh(duty_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE responsibilities_duty d
    SET search_vector = responsibilities_duty_vector(
            d.title, o.owners, d.description || ' ' || d.kpis),
        search_text = {text.format(d="d", owners="o.owners")},
        search_grams = responsibilities_cjk_grams({text.format(d="d", owners="o.owners")})
    FROM (
        SELECT ids.id, responsibilities_duty_owner_titles(ids.id) AS owners
        FROM (SELECT DISTINCT unnest(duty_ids) AS id) ids
    ) o
    WHERE d.id = o.id
$$;
"""


WRITTEN = "{d}.title || ' ' || {owners} || ' ' || {d}.description || ' ' || {d}.kpis"

FORWARD = (
    _functions(f"lower({WRITTEN})")
    + "UPDATE responsibilities_duty SET search_text = lower(search_text);"
)
BACKWARD = (
    _functions(WRITTEN)
    + "SELECT responsibilities_duty_search_refresh(ARRAY(SELECT id FROM responsibilities_duty));"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("responsibilities", "0017_search_roles_people_trgm")]

    operations = [migrations.RunPython(forward, backward)]
