"""Search from indexes (see responsibilities/search.py and docs/decisions.md, "Search").

PostgreSQL: two stored columns on the duty table, outside the Django model (the ORM never
reads or writes them) and kept current by triggers:

- search_vector: a tsvector of the title (weight A), the titles of the roles that are
  Accountable or Responsible for the duty (B), and the description and KPIs (C), with a
  GIN index; full-text matching with English stemming.
- search_text: the same texts as one string, with a GIN trigram index: substring matching
  (`LIKE`, which also serves Chinese) and typo matching (`<%`, word similarity).

Triggers rather than services, because role titles live in another table and every write
path (the matrix, the RACI import's bulk inserts, the admin, a role rename) must keep the
columns current: a row trigger on the duty for its own texts, statement triggers with
transition tables on assignments (a bulk import refreshes each touched duty once per
statement) and a row trigger on a role's title.

SQLite: an FTS5 table with the trigram tokenizer (substring matching, Chinese included,
ranked with bm25), kept current by row triggers on the same three tables.
"""

from django.db import migrations

OWNER_LETTERS = "('R', 'A', 'AR')"

POSTGRES_FORWARD = f"""
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE responsibilities_duty ADD COLUMN search_vector tsvector;
ALTER TABLE responsibilities_duty ADD COLUMN search_text text;

CREATE FUNCTION responsibilities_duty_owner_titles(duty bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(string_agg(r.title, ' ' ORDER BY r.title), '')
    FROM responsibilities_assignment a JOIN orgmap_role r ON r.id = a.role_id
    WHERE a.duty_id = duty AND a.letter IN {OWNER_LETTERS}
$$;

CREATE FUNCTION responsibilities_duty_vector(title text, owners text, body text)
RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
    SELECT setweight(to_tsvector('english', title), 'A')
        || setweight(to_tsvector('english', owners), 'B')
        || setweight(to_tsvector('english', body), 'C')
$$;

CREATE FUNCTION responsibilities_duty_search_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    owners text;
BEGIN
    owners := CASE WHEN TG_OP = 'INSERT' THEN ''
                   ELSE responsibilities_duty_owner_titles(NEW.id) END;
    NEW.search_vector := responsibilities_duty_vector(
        NEW.title, owners, NEW.description || ' ' || NEW.kpis);
    NEW.search_text := NEW.title || ' ' || owners || ' ' || NEW.description || ' ' || NEW.kpis;
    RETURN NEW;
END
$$;

CREATE TRIGGER responsibilities_duty_search_row
BEFORE INSERT OR UPDATE OF title, description, kpis ON responsibilities_duty
FOR EACH ROW EXECUTE FUNCTION responsibilities_duty_search_row();

CREATE FUNCTION responsibilities_duty_search_refresh(duty_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE responsibilities_duty d
    SET search_vector = responsibilities_duty_vector(
            d.title, o.owners, d.description || ' ' || d.kpis),
        search_text = d.title || ' ' || o.owners || ' ' || d.description || ' ' || d.kpis
    FROM (
        SELECT ids.id, responsibilities_duty_owner_titles(ids.id) AS owners
        FROM (SELECT DISTINCT unnest(duty_ids) AS id) ids
    ) o
    WHERE d.id = o.id
$$;

CREATE FUNCTION responsibilities_assignment_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM responsibilities_duty_search_refresh(
            ARRAY(SELECT duty_id FROM new_rows WHERE letter IN {OWNER_LETTERS}));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM responsibilities_duty_search_refresh(
            ARRAY(SELECT duty_id FROM old_rows WHERE letter IN {OWNER_LETTERS}));
    ELSE
        PERFORM responsibilities_duty_search_refresh(ARRAY(
            SELECT n.duty_id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.letter IN {OWNER_LETTERS}) <> (o.letter IN {OWNER_LETTERS})
               OR n.role_id <> o.role_id OR n.duty_id <> o.duty_id
            UNION ALL
            SELECT o.duty_id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.duty_id <> o.duty_id));
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER responsibilities_assignment_search_insert
AFTER INSERT ON responsibilities_assignment REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION responsibilities_assignment_search();
CREATE TRIGGER responsibilities_assignment_search_update
AFTER UPDATE ON responsibilities_assignment
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION responsibilities_assignment_search();
CREATE TRIGGER responsibilities_assignment_search_delete
AFTER DELETE ON responsibilities_assignment REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION responsibilities_assignment_search();

CREATE FUNCTION responsibilities_role_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM responsibilities_duty_search_refresh(ARRAY(
        SELECT duty_id FROM responsibilities_assignment
        WHERE role_id = NEW.id AND letter IN {OWNER_LETTERS}));
    RETURN NULL;
END
$$;

CREATE TRIGGER responsibilities_role_search
AFTER UPDATE OF title ON orgmap_role
FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title)
EXECUTE FUNCTION responsibilities_role_search();

-- Fill the columns of existing duties (a touch of the title runs the row trigger).
UPDATE responsibilities_duty SET title = title;

CREATE INDEX responsibilities_duty_search_vector ON responsibilities_duty
    USING gin (search_vector);
CREATE INDEX responsibilities_duty_search_text_trgm ON responsibilities_duty
    USING gin (search_text gin_trgm_ops);
"""

POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS responsibilities_role_search ON orgmap_role;
DROP TRIGGER IF EXISTS responsibilities_assignment_search_insert ON responsibilities_assignment;
DROP TRIGGER IF EXISTS responsibilities_assignment_search_update ON responsibilities_assignment;
DROP TRIGGER IF EXISTS responsibilities_assignment_search_delete ON responsibilities_assignment;
DROP TRIGGER IF EXISTS responsibilities_duty_search_row ON responsibilities_duty;
DROP FUNCTION IF EXISTS responsibilities_role_search();
DROP FUNCTION IF EXISTS responsibilities_assignment_search();
DROP FUNCTION IF EXISTS responsibilities_duty_search_refresh(bigint[]);
DROP FUNCTION IF EXISTS responsibilities_duty_search_row();
DROP FUNCTION IF EXISTS responsibilities_duty_vector(text, text, text);
DROP FUNCTION IF EXISTS responsibilities_duty_owner_titles(bigint);
ALTER TABLE responsibilities_duty DROP COLUMN IF EXISTS search_vector;
ALTER TABLE responsibilities_duty DROP COLUMN IF EXISTS search_text;
"""

# SQLite: one FTS5 row per duty, rowid = the duty's id. The owners column is rebuilt
# from the assignments whenever a cell that involves an owner changes.
SQLITE_OWNERS = f"""(
    SELECT coalesce(group_concat(title, ' '), '') FROM (
        SELECT r.title AS title FROM responsibilities_assignment a
        JOIN orgmap_role r ON r.id = a.role_id
        WHERE a.duty_id = {{duty}} AND a.letter IN {OWNER_LETTERS} ORDER BY r.title))"""

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE responsibilities_duty_fts USING fts5(
        title, owners, body, tokenize = 'trigram')""",
    """CREATE TRIGGER responsibilities_duty_fts_insert AFTER INSERT ON responsibilities_duty
    BEGIN
        INSERT INTO responsibilities_duty_fts (rowid, title, owners, body)
        VALUES (NEW.id, NEW.title, '', NEW.description || ' ' || NEW.kpis);
    END""",
    """CREATE TRIGGER responsibilities_duty_fts_update
    AFTER UPDATE OF title, description, kpis ON responsibilities_duty
    BEGIN
        UPDATE responsibilities_duty_fts
        SET title = NEW.title, body = NEW.description || ' ' || NEW.kpis
        WHERE rowid = NEW.id;
    END""",
    """CREATE TRIGGER responsibilities_duty_fts_delete AFTER DELETE ON responsibilities_duty
    BEGIN
        DELETE FROM responsibilities_duty_fts WHERE rowid = OLD.id;
    END""",
    f"""CREATE TRIGGER responsibilities_assignment_fts_insert
    AFTER INSERT ON responsibilities_assignment WHEN NEW.letter IN {OWNER_LETTERS}
    BEGIN
        UPDATE responsibilities_duty_fts SET owners = {SQLITE_OWNERS.format(duty="NEW.duty_id")}
        WHERE rowid = NEW.duty_id;
    END""",
    f"""CREATE TRIGGER responsibilities_assignment_fts_delete
    AFTER DELETE ON responsibilities_assignment WHEN OLD.letter IN {OWNER_LETTERS}
    BEGIN
        UPDATE responsibilities_duty_fts SET owners = {SQLITE_OWNERS.format(duty="OLD.duty_id")}
        WHERE rowid = OLD.duty_id;
    END""",
    f"""CREATE TRIGGER responsibilities_assignment_fts_update
    AFTER UPDATE OF letter, role_id, duty_id ON responsibilities_assignment
    WHEN (NEW.letter IN {OWNER_LETTERS}) <> (OLD.letter IN {OWNER_LETTERS})
        OR NEW.role_id <> OLD.role_id OR NEW.duty_id <> OLD.duty_id
    BEGIN
        UPDATE responsibilities_duty_fts SET owners = {SQLITE_OWNERS.format(duty="NEW.duty_id")}
        WHERE rowid = NEW.duty_id;
        UPDATE responsibilities_duty_fts SET owners = {SQLITE_OWNERS.format(duty="OLD.duty_id")}
        WHERE rowid = OLD.duty_id AND OLD.duty_id <> NEW.duty_id;
    END""",
    f"""CREATE TRIGGER responsibilities_role_fts_update AFTER UPDATE OF title ON orgmap_role
    WHEN OLD.title IS NOT NEW.title
    BEGIN
        UPDATE responsibilities_duty_fts
        SET owners = {SQLITE_OWNERS.format(duty="responsibilities_duty_fts.rowid")}
        WHERE rowid IN (
            SELECT duty_id FROM responsibilities_assignment
            WHERE role_id = NEW.id AND letter IN {OWNER_LETTERS});
    END""",
    f"""INSERT INTO responsibilities_duty_fts (rowid, title, owners, body)
    SELECT d.id, d.title, {SQLITE_OWNERS.format(duty="d.id")}, d.description || ' ' || d.kpis
    FROM responsibilities_duty d""",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS responsibilities_role_fts_update",
    "DROP TRIGGER IF EXISTS responsibilities_assignment_fts_update",
    "DROP TRIGGER IF EXISTS responsibilities_assignment_fts_delete",
    "DROP TRIGGER IF EXISTS responsibilities_assignment_fts_insert",
    "DROP TRIGGER IF EXISTS responsibilities_duty_fts_delete",
    "DROP TRIGGER IF EXISTS responsibilities_duty_fts_update",
    "DROP TRIGGER IF EXISTS responsibilities_duty_fts_insert",
    "DROP TABLE IF EXISTS responsibilities_duty_fts",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("responsibilities", "0006_informationflow_moved_here"),
        ("orgmap", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
