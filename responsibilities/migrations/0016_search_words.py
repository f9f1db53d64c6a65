"""Spelling correction from a table of title words (PostgreSQL; see responsibilities/search.py).

A word that occurs in no duty was matched against every duty's title by trigram word
similarity (`word <% title`): on the O*NET organisation the title index returned ~800
candidates for "sofware", each rechecked and scored, 30 ms on every search with a typo.
The titles hold only 12,000 distinct words: they are kept in
`responsibilities_search_word` with a GiST trigram index, which gives a typo's nearest
words in trigram distance (`ORDER BY word <-> 'sofware' LIMIT 20`, a walk of the index
that stops after 20; a GIN index must count the trigrams of every word sharing one,
10 ms); the search picks among them by edit distance and looks for the duties again with
those words, through the same indexes as a search spelt right.

Triggers add the words of every new or renamed duty and role title and department and
project name: insertions statement by statement (a bulk import adds its words in one
INSERT), renames row by row and only when the title changed (the search index's own
UPDATE of a duty on every owner change does not fire it). The table is filled from the
existing titles here. Every insertion takes its words in alphabetical order: two
transactions adding the same new words wait for each other in one order, never in a
circle.
"""

from django.db import migrations, models

# Per table: its title column.
TITLED = [
    ("responsibilities_duty", "title"),
    ("orgmap_role", "title"),
    ("orgmap_department", "name"),
    ("collaboration_project", "name"),
]

FUNCTIONS = """
CREATE INDEX responsibilities_search_word_trgm ON responsibilities_search_word
    USING gist (word gist_trgm_ops);

CREATE FUNCTION responsibilities_title_words(body text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE AS $$
    SELECT DISTINCT word FROM regexp_split_to_table(lower(body), '[^[:alnum:]]+') AS word
    WHERE length(word) BETWEEN 3 AND 100
$$;

CREATE FUNCTION responsibilities_add_inserted_title_words() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO responsibilities_search_word (word)
    SELECT DISTINCT word FROM new_rows, responsibilities_title_words(new_rows.title) AS word
    ORDER BY word
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE FUNCTION responsibilities_add_inserted_name_words() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO responsibilities_search_word (word)
    SELECT DISTINCT word FROM new_rows, responsibilities_title_words(new_rows.name) AS word
    ORDER BY word
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

-- A renamed row: its title column is the trigger's argument.
CREATE FUNCTION responsibilities_add_renamed_words() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO responsibilities_search_word (word)
    SELECT word FROM responsibilities_title_words(to_jsonb(NEW) ->> TG_ARGV[0]) AS word
    ORDER BY word
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
"""


def _triggers(table: str, column: str) -> str:
    return f"""
CREATE TRIGGER {table}_words_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION responsibilities_add_inserted_{column}_words();
CREATE TRIGGER {table}_words_rename AFTER UPDATE OF {column} ON {table}
    FOR EACH ROW WHEN (OLD.{column} IS DISTINCT FROM NEW.{column})
    EXECUTE FUNCTION responsibilities_add_renamed_words('{column}');
"""


FILL = (
    "INSERT INTO responsibilities_search_word (word) SELECT DISTINCT word FROM ("
    + " UNION ALL ".join(f"SELECT {column} AS title FROM {table}" for table, column in TITLED)
    + ") titles, responsibilities_title_words(titles.title) AS word ON CONFLICT DO NOTHING;"
)

BACKWARD = "".join(
    f"DROP TRIGGER IF EXISTS {table}_words_insert ON {table};"
    f"DROP TRIGGER IF EXISTS {table}_words_rename ON {table};"
    for table, _column in TITLED
) + (
    "DROP FUNCTION IF EXISTS responsibilities_add_renamed_words();"
    "DROP FUNCTION IF EXISTS responsibilities_add_inserted_name_words();"
    "DROP FUNCTION IF EXISTS responsibilities_add_inserted_title_words();"
    "DROP FUNCTION IF EXISTS responsibilities_title_words(text);"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        sql = FUNCTIONS + "".join(_triggers(table, column) for table, column in TITLED) + FILL
        schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("responsibilities", "0015_assignment_change_source_name"),
        ("orgmap", "0006_access_change"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[("word", models.CharField(max_length=100, primary_key=True, serialize=False))],
            options={
                "verbose_name": "search word",
                "verbose_name_plural": "search words",
                "db_table": "responsibilities_search_word",
            },
        ),
        migrations.RunPython(forward, backward),
    ]
