"""Chinese (and other CJK) search from an index (see responsibilities/search.py).

A trigram index cannot serve a two-character Chinese word: `LIKE '%合同%'` holds no whole
trigram, so PostgreSQL read the whole index and rechecked every duty (~150 ms on the
O*NET organisation). Chinese is written without spaces, so the duty's search text gets a
third stored column, `search_grams`: every CJK character and every pair of neighbouring
CJK characters as a lexeme of a tsvector, with a GIN index. A query word in Chinese asks
for all its pairs (an index lookup) and is then checked as a substring (`ILIKE`) on the
few rows found.

The triggers of migration 0007 keep the column current: the row trigger and the refresh
after an owner change both compute it from `search_text`.
"""

from django.db import migrations

CJK = "一-鿿㐀-䶿豈-﫿"

POSTGRES_FORWARD = f"""
ALTER TABLE responsibilities_duty ADD COLUMN search_grams tsvector;

CREATE FUNCTION responsibilities_cjk_grams(body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT gram)), ''::tsvector)
    FROM (
        SELECT substr(run.text, i, width) AS gram
        FROM regexp_matches(body, '[{CJK}]+', 'g') AS found(parts),
             LATERAL (SELECT found.parts[1] AS text) AS run,
             LATERAL (VALUES (1), (2)) AS widths(width),
             LATERAL generate_series(1, length(run.text) - width + 1) AS i
    ) AS grams
$$;

CREATE OR REPLACE FUNCTION responsibilities_duty_search_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    owners text;
BEGIN
    owners := CASE WHEN TG_OP = 'INSERT' THEN ''
                   ELSE responsibilities_duty_owner_titles(NEW.id) END;
    NEW.search_vector := responsibilities_duty_vector(
        NEW.title, owners, NEW.description || ' ' || NEW.kpis);
    NEW.search_text := NEW.title || ' ' || owners || ' ' || NEW.description || ' ' || NEW.kpis;
    NEW.search_grams := responsibilities_cjk_grams(NEW.search_text);
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION responsibilities_duty_search_refresh(duty_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE responsibilities_duty d
    SET search_vector = responsibilities_duty_vector(
            d.title, o.owners, d.description || ' ' || d.kpis),
        search_text = d.title || ' ' || o.owners || ' ' || d.description || ' ' || d.kpis,
        search_grams = responsibilities_cjk_grams(
            d.title || ' ' || o.owners || ' ' || d.description || ' ' || d.kpis)
    FROM (
        SELECT ids.id, responsibilities_duty_owner_titles(ids.id) AS owners
        FROM (SELECT DISTINCT unnest(duty_ids) AS id) ids
    ) o
    WHERE d.id = o.id
$$;

UPDATE responsibilities_duty SET search_grams = responsibilities_cjk_grams(search_text);

CREATE INDEX responsibilities_duty_search_grams ON responsibilities_duty
    USING gin (search_grams);
"""

POSTGRES_BACKWARD = """
CREATE OR REPLACE FUNCTION responsibilities_duty_search_row() RETURNS trigger
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

CREATE OR REPLACE FUNCTION responsibilities_duty_search_refresh(duty_ids bigint[]) RETURNS void
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

DROP FUNCTION IF EXISTS responsibilities_cjk_grams(text);
ALTER TABLE responsibilities_duty DROP COLUMN IF EXISTS search_grams;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("responsibilities", "0010_finding_sort_key")]

    operations = [migrations.RunPython(forward, backward)]
