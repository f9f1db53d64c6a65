"""Search: "who owns this?" across duties, roles, departments, projects and people.

Duties are found from indexes kept current by database triggers (migrations 0007, 0011):

- PostgreSQL: every word must occur in the duty's search text (title, the titles of its
  Accountable and Responsible roles, description, KPIs; stored in lower case) as a
  substring (`LIKE`), served by a GIN trigram index; a Chinese word (no spaces between
  words, and a two-character word holds no whole trigram) is looked up by its
  character pairs (`search_grams`, a
  GIN-indexed tsvector) and then checked as a substring. A word of four letters or more
  that occurs nowhere is taken for a typo: it is replaced by the closest words of the
  titles (`SearchWord`: the nearest by trigram distance from a GiST index, then the
  fewest edits) and the search runs again with them. Besides, the whole query matches
  through the GIN-indexed `tsvector` with English stemming ("reporting" finds
  "reports"). Results are ranked by the whole query in the title, then `ts_rank` (title
  weighs more than the owners' role titles, which weigh more than the description).
- SQLite: an FTS5 table with the trigram tokenizer (substring matching, Chinese too),
  ranked with bm25; a word that matches nothing is replaced by its closest spellings from
  the title vocabulary (difflib, cached), a simpler typo fallback for laptops.

Roles, departments and projects are few (hundreds); they match by substring or, on
PostgreSQL, through the trigram index operator. Every group is a constant number of
queries.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from orgmap.links import detail_url
from orgmap.models import Department, Profile, Project, Role, RoleHolder

from . import raci
from .models import Assignment, Duty
from .sql import holding_now, placeholders, table

MIN_QUERY_LENGTH = 2
# Typo matching only for words long enough to have several trigrams of their own.
TYPO_MIN_LENGTH = 4
# A typo's candidates: its nearest title words by trigram distance (PostgreSQL) ...
TYPO_CANDIDATES = 20
# ... of which those fewest edits away are searched for, at most this many: "recieve"
# is one edit from both "receive" and "relieve".
TYPO_CORRECTIONS = 3
# FTS5's trigram tokenizer indexes three characters; shorter words fall back to LIKE.
FTS_MIN_LENGTH = 3
WORD = re.compile(r"\w+", re.UNICODE)
# Chinese, Japanese and Korean ideographs: written without spaces, found through the
# duty's stored character pairs (migration 0011) rather than trigrams.
CJK_RUN = re.compile("[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]+")


@dataclass(frozen=True)
class Place:
    """A department or project as results show it."""

    code: str
    name: str
    kind: str = "department"  # or "project"

    @property
    def url(self) -> str:
        return detail_url(f"{self.kind}-detail", self.code)


@dataclass(frozen=True)
class Holder:
    """A person holding a role now."""

    username: str
    name: str
    email: str
    phone: str

    @property
    def url(self) -> str:
        return detail_url("person-detail", self.username)


@dataclass
class Owner:
    """A duty's Accountable or Responsible role and the people holding it."""

    role_id: int
    title: str
    letter: str
    department: Place
    holders: list[Holder] = field(default_factory=list)

    @property
    def url(self) -> str:
        return detail_url("role-detail", self.role_id)


@dataclass
class DutyHit:
    id: int
    title: str
    department: Place
    project: Place | None
    accountable: list[Owner] = field(default_factory=list)
    responsible: list[Owner] = field(default_factory=list)

    @property
    def url(self) -> str:
        return detail_url("duty-detail", self.id)


@dataclass
class RoleHit:
    id: int
    title: str
    department: Place
    holders: list[Holder] = field(default_factory=list)

    @property
    def url(self) -> str:
        return detail_url("role-detail", self.id)


@dataclass
class PersonHit:
    id: int
    username: str
    name: str
    email: str
    # (role title, department name) of each role held now
    holdings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return detail_url("person-detail", self.username)


@dataclass
class Results:
    query: str
    duties: list[DutyHit]
    roles: list[RoleHit]
    departments: list[Place]
    projects: list[Place]
    people: list[PersonHit]
    # The words found nowhere, each with the close spellings searched for instead.
    corrections: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return (
            len(self.duties)
            + len(self.roles)
            + len(self.departments)
            + len(self.projects)
            + len(self.people)
        )


def _words(query: str) -> list[str]:
    return [word for word in WORD.findall(query.casefold()) if word]


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _like(text: str) -> str:
    """A LIKE pattern that finds `text` anywhere (`\\` is the escape character)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _vocabulary() -> list[str]:
    """Words of every duty, role, department and project title, for the SQLite
    fallback's spelling correction; cached for a minute."""
    words = cache.get("search:vocabulary")
    if words is None:
        found: set[str] = set()
        for values in (
            Duty.objects.values_list("title", flat=True),
            Role.objects.values_list("title", flat=True),
            Department.objects.values_list("name", flat=True),
            Project.objects.values_list("name", flat=True),
        ):
            for title in values:
                found.update(_words(title))
        words = sorted(found)
        cache.set("search:vocabulary", words, 60)
    return words


# ---------------------------------------------------------------- duties


def cjk_grams(word: str) -> list[str]:
    """The stored lexemes a word's Chinese characters must all have: its character pairs
    (a lone character stands for itself)."""
    grams: list[str] = []
    for run in CJK_RUN.findall(word):
        grams += [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
    return grams


def _contains(word: str, alias: str) -> tuple[str, list]:
    """SQL that finds `word` as a substring of the duty's search text, from an index:
    the trigram index, or for Chinese the character pairs (then checked as a substring:
    the pairs may be far apart)."""
    # The search text is stored in lower case (migration 0018): LIKE with the word
    # lowered the same way (a constant, lowered once), not ILIKE, which lowers the text
    # of every row it checks.
    grams = cjk_grams(word)
    if not grams:
        return f"{alias}.search_text LIKE lower(%s)", [_like(word)]
    query = " & ".join(f"'{gram}'" for gram in dict.fromkeys(grams))
    return (
        f"({alias}.search_grams @@ %s::tsquery AND {alias}.search_text LIKE lower(%s))",
        [query, _like(word)],
    )


def _ranked_duty_ids(cursor, conditions, params, phrase, limit, text_query=None) -> list[int]:
    """The best active duties where every word's condition holds or the stored vector
    matches the phrase (or `text_query`, a tsquery in `to_tsquery` syntax: a corrected
    search's alternatives). Ranking costs per matching row (a common word matches a
    thousand duties): the stored vector's rank (title weighs most) and the whole query
    in the title."""
    query_sql = "to_tsquery('english', %s)" if text_query else "plainto_tsquery('english', %s)"
    # The planner prices pg_trgm's GIN scans above a sequential scan that would compute
    # the operators on all rows; forbid the scan for this statement only
    # (set_config(..., true) lasts until the end of its transaction, which in autocommit
    # is this one round trip).
    # The whole query is in the title when it first occurs in the search text within
    # the title's length: the search text starts with the title, lowered (ILIKE on the
    # title would lower every matching title again).
    cursor.execute(
        f"""
        SELECT set_config('enable_seqscan', 'off', true);
        SELECT d.id
        FROM responsibilities_duty d, {query_sql} AS q, lower(%s) AS phrase
        WHERE d.active AND (({" AND ".join(conditions)}) OR d.search_vector @@ q)
        ORDER BY (CASE WHEN strpos(d.search_text, phrase) BETWEEN 1
                           AND length(d.title) - length(phrase) + 1 THEN 2 ELSE 0 END)
            + ts_rank(d.search_vector, q) DESC, d.title, d.id
        LIMIT %s
        """,
        [text_query or phrase, phrase, *params, limit],
    )
    return [row[0] for row in cursor.fetchall()]


def edits(a: str, b: str) -> int:
    """The number of single-character insertions, deletions, substitutions and swaps of
    neighbours that turn `a` into `b` (optimal string alignment distance)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            cost = min(
                previous[j] + 1,
                current[j - 1] + 1,
                previous[j - 1] + (char != other),
            )
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == other:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def corrections(word: str, candidates: list[str]) -> list[str]:
    """The candidates (nearest first by trigram distance) fewest edits from `word`, if
    close enough to be a typo of it (one edit for a word of up to five letters, two for
    a longer one): all those at that distance, up to TYPO_CORRECTIONS."""
    allowed = 1 if len(word) <= 5 else 2
    distances = [edits(word, candidate) for candidate in candidates]
    fewest = min((d for d in distances if d <= allowed), default=None)
    close = [c for c, distance in zip(candidates, distances, strict=True) if distance == fewest]
    return close[:TYPO_CORRECTIONS]


def _duty_ids_postgres(
    words: list[str], phrase: str, limit: int
) -> tuple[list[int], dict[str, list[str]]]:
    """The best duties' ids, and the words taken for typos (they occur in no duty) with
    the title words searched for instead.

    Spelt right is the common case: the first query takes every word as written, and
    a duty found means every word occurs somewhere (no typo). Only when it finds none
    does a second round trip ask which words occur nowhere, with the nearest title words
    of each, and a third searches again with the closest of those."""
    matches = [_contains(word, "d") for word in words]
    with connection.cursor() as cursor:
        written = [param for _sql, params in matches for param in params]
        ids = _ranked_duty_ids(cursor, [sql for sql, _ in matches], written, phrase, limit)
        if ids:
            return ids, {}
        # Per word: does any duty contain it (an index scan: the planner would rather
        # read 18,000 rows than trust pg_trgm's GIN index), and only if none does, the
        # nearest title words (a walk of the GiST index). OFFSET 0 keeps each EXISTS
        # computed once, not copied into the CASE that reads it.
        exists, exists_params, columns, columns_params = [], [], [], []
        for index, (word, (sql, word_params)) in enumerate(zip(words, matches, strict=True)):
            exists.append(f"EXISTS (SELECT 1 FROM responsibilities_duty d WHERE {sql}) AS w{index}")
            exists_params += word_params
            columns.append(f"w{index}")
            if len(word) >= TYPO_MIN_LENGTH:
                columns.append(
                    f"CASE WHEN w{index} THEN NULL ELSE ARRAY(SELECT word FROM "
                    "responsibilities_search_word ORDER BY word <-> %s LIMIT %s) END"
                )
                columns_params += [word, TYPO_CANDIDATES]
        cursor.execute(
            f"SELECT set_config('enable_seqscan', 'off', true); SELECT {', '.join(columns)} "
            f"FROM (SELECT {', '.join(exists)} OFFSET 0) AS found",
            [*columns_params, *exists_params],
        )
        answers = iter(cursor.fetchone())
        conditions, params, typos, corrected, either = [], [], {}, [], []
        for word, (sql, word_params) in zip(words, matches, strict=True):
            present = next(answers)
            candidates = next(answers) if len(word) >= TYPO_MIN_LENGTH else None
            if present or candidates is None:
                conditions.append(sql)
                params += word_params
                corrected.append(word)
                either.append(word)
                continue
            typos[word] = corrections(word, candidates)
            if not typos[word]:
                return [], typos  # nothing close enough: no duty can match
            alternatives = [_contains(close, "d") for close in typos[word]]
            conditions.append("(" + " OR ".join(sql for sql, _ in alternatives) + ")")
            params += [param for _sql, close_params in alternatives for param in close_params]
            corrected.append(typos[word][0])
            either.append("(" + " | ".join(typos[word]) + ")")  # words: letters and digits
        if not typos:
            return [], {}  # every word occurs, only never together in an active duty
        # The stemmed match takes every correction ("recieve": relieve or receive, so
        # "receiving shipment" too), the title bonus the closest.
        ids = _ranked_duty_ids(
            cursor, conditions, params, " ".join(corrected), limit, " & ".join(either)
        )
        return ids, typos


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _duty_ids_sqlite(
    words: list[str], phrase: str, limit: int
) -> tuple[list[int], dict[str, list[str]]]:
    indexed = [word for word in words if len(word) >= FTS_MIN_LENGTH]
    short = [word for word in words if len(word) < FTS_MIN_LENGTH]
    terms: list[str] = []
    typos: dict[str, list[str]] = {}
    if indexed:
        with connection.cursor() as cursor:
            # Which words occur at all, in one query; the others may be typos.
            cursor.execute(
                "SELECT "
                + ", ".join(
                    "EXISTS (SELECT 1 FROM responsibilities_duty_fts WHERE "
                    "responsibilities_duty_fts MATCH %s)"
                    for _word in indexed
                ),
                [_fts_phrase(word) for word in indexed],
            )
            found = cursor.fetchone()
        vocabulary = None
        for word, present in zip(indexed, found, strict=True):
            alternatives = [word]
            if not present:
                vocabulary = vocabulary if vocabulary is not None else _vocabulary()
                alternatives += [
                    close
                    for close in difflib.get_close_matches(word, vocabulary, n=3, cutoff=0.75)
                    if len(close) >= FTS_MIN_LENGTH
                ]
            if len(alternatives) > 1:
                typos[word] = alternatives[1:]
            terms.append("(" + " OR ".join(_fts_phrase(term) for term in alternatives) + ")")
    conditions, params = ["d.active"], []
    if terms:
        conditions.append("responsibilities_duty_fts MATCH %s")
        params.append(" AND ".join(terms))
    for word in short:
        conditions.append(
            "(f.title LIKE %s ESCAPE '\\' OR f.owners LIKE %s ESCAPE '\\' "
            "OR f.body LIKE %s ESCAPE '\\')"
        )
        params += [_like(word)] * 3
    rank = "bm25(responsibilities_duty_fts, 10.0, 4.0, 1.0), " if terms else ""
    sql = f"""
        SELECT d.id
        FROM responsibilities_duty_fts f JOIN responsibilities_duty d ON d.id = f.rowid
        WHERE {" AND ".join(conditions)}
        ORDER BY (CASE WHEN f.title LIKE %s ESCAPE '\\' THEN 0 ELSE 1 END), {rank}d.title, d.id
        LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, _like(phrase), limit])
        return [row[0] for row in cursor.fetchall()], typos


# ---------------------------------------------------------------- rows into results
# Results are read with plain SQL into the records above. A search returns a few dozen
# short rows; building querysets, compiling them and making model instances cost
# several times what the database does for them (see docs/decisions.md).


def _holder_sql(role: str) -> tuple[str, str]:
    """Columns and joins of the people holding role `role` (an SQL alias) now, one row
    each (NULLs for a vacant role); two date parameters (today) follow the joins."""
    columns = "u.username, u.first_name, u.last_name, u.email, pr.display_name, pr.phone"
    joins = (
        f"LEFT JOIN {table(RoleHolder)} h ON h.role_id = {role}.id AND {holding_now('h')}"
        f" LEFT JOIN {table(get_user_model())} u ON u.id = h.person_id"
        f" LEFT JOIN {table(Profile)} pr ON pr.user_id = u.id"
    )
    return columns, joins


def _holder(row: tuple) -> Holder | None:
    username, first_name, last_name, email, display_name, phone = row
    if username is None:
        return None
    return Holder(
        username=username,
        name=Profile.name_of(display_name, first_name, last_name, username),
        email=email or "",
        phone=phone or "",
    )


def _duty_hits(
    words: list[str], phrase: str, limit: int, today
) -> tuple[list[DutyHit], dict[str, list[str]]]:
    """The best `limit` active duties, with their A and R roles and the people holding
    them: two queries (ids, then the duties with their owners) whatever the
    organisation's size. Also, on PostgreSQL, the words that occur in no duty with the
    title words that correct them (the others are no typos anywhere, as a duty's search
    text holds its owners' role titles)."""
    if _is_postgres():
        ids, typos = _duty_ids_postgres(words, phrase, limit)
    else:
        ids, typos = _duty_ids_sqlite(words, phrase, limit)
    if not ids:
        return [], typos
    holder_columns, holder_joins = _holder_sql("r")
    department = table(Department)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            {AS_WRITTEN if _is_postgres() else ""}
            SELECT d.id, d.title, dd.code, dd.name, p.code, p.name,
                   a.letter, r.id, r.title, rd.code, rd.name, {holder_columns}
            FROM {table(Duty)} d
            JOIN {department} dd ON dd.id = d.department_id
            LEFT JOIN {table(Project)} p ON p.id = d.project_id
            LEFT JOIN {table(Assignment)} a ON a.duty_id = d.id AND a.letter IN (%s, %s, %s)
            LEFT JOIN {table(Role)} r ON r.id = a.role_id
            LEFT JOIN {department} rd ON rd.id = r.department_id
            {holder_joins}
            WHERE d.id IN ({placeholders(ids)})
            ORDER BY d.id, r.title, r.id, h.since, h.id
            """,
            [raci.A, raci.R, raci.AR, today, today, *ids],
        )
        rows = cursor.fetchall()
    hits: dict[int, DutyHit] = {}
    owners: dict[tuple[int, int], Owner] = {}
    for row in rows:
        duty_id, title, code, name, project_code, project_name, letter, role_id = row[:8]
        hit = hits.get(duty_id)
        if hit is None:
            project = (
                Place(project_code, project_name, "project") if project_code is not None else None
            )
            hit = hits[duty_id] = DutyHit(duty_id, title, Place(code, name), project)
        if letter is None:
            continue  # nobody accountable or responsible
        owner = owners.get((duty_id, role_id))
        if owner is None:
            owner = owners[duty_id, role_id] = Owner(
                role_id, row[8], letter, Place(row[9], row[10])
            )
            if letter in raci.ACCOUNTABLE_LETTERS:
                hit.accountable.append(owner)
            if letter in raci.RESPONSIBLE_LETTERS:
                hit.responsible.append(owner)
        holder = _holder(row[11:])
        if holder:
            owner.holders.append(holder)
    return [hits[pk] for pk in ids if pk in hits], typos


# ---------------------------------------------------------------- roles, departments, projects

# Planner settings for the statement they precede (set_config(..., true) lasts until
# the end of its transaction, in autocommit that round trip). The joins of a result
# query are written in the order to run them: planning the order of eight tables cost
# 2-3 ms, three times running the plan.
AS_WRITTEN = "SELECT set_config('join_collapse_limit', '1', true);"
# The planner prices pg_trgm's GIN scans above reading a few hundred rows (as a
# sequential scan, or a whole index in another order) and computing ILIKE on each,
# several times slower: only bitmap scans, which the trigram indexes give.
TRIGRAM_INDEXES = (
    AS_WRITTEN
    + " SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true);"
)
# A person's account columns as one text, as indexed by migration 0017.
PERSON_TEXT = "(username || ' ' || email || ' ' || first_name || ' ' || last_name)"


def _like_sql(column: str) -> str:
    """`column` contains a `_like` pattern, ignoring case."""
    if _is_postgres():
        return f"{column} ILIKE %s"
    return f"{column} LIKE %s ESCAPE '\\'"  # SQLite's LIKE ignores the case of ASCII


def _any_field(word: str, fields: list[str]) -> tuple[str, list]:
    return " OR ".join(_like_sql(name) for name in fields), [_like(word)] * len(fields)


def _ranked_sql(
    columns: str,
    source: str,
    fields: list[str],
    title: str,
    words: list[str],
    typos: dict[str, list[str]],
    cursor,
) -> tuple[str, list]:
    """A SELECT of `columns` from `source` (FROM and WHERE, for tables of hundreds of
    rows: roles, departments, projects) where every word matches one of `fields`, with
    its `score` (2 if the whole query is in the title) and `text_rank` (the title's
    full-text rank on PostgreSQL), best first; a LIMIT parameter follows the parameters.

    On PostgreSQL a word also matches a title holding its English stem ("reporting"
    finds "Report writer", "reports" finds "Reporting analyst"; a stop word's stem is
    empty and so is in every title, as a text search ignores it) and the `typos` (words
    found in no duty) match titles containing one of their corrections; a word that
    duties contain is spelt right. On SQLite a word of three letters or more that no
    row contains matches the closest spellings of the title vocabulary instead."""
    conditions, params = [], []
    postgres = _is_postgres()
    vocabulary = None
    for word in words:
        sql, word_params = _any_field(word, fields)
        if postgres:
            # The stem, computed once per query in a subquery (a title vector, or the
            # function in the condition, would be computed per row), then looked up
            # through the title's trigram index like the word itself.
            sql += (
                f" OR {title} ILIKE (SELECT '%%' || replace(COALESCE("
                "(ts_lexize('english_stem', %s))[1], ''), '_', '\\_') || '%%')"
            )
            word_params.append(word)
            for close in typos.get(word, []):
                sql += " OR " + _like_sql(title)
                word_params.append(_like(close))
        elif len(word) >= FTS_MIN_LENGTH:
            cursor.execute(f"SELECT EXISTS (SELECT 1 {source} AND ({sql}))", word_params)
            if not cursor.fetchone()[0]:
                vocabulary = vocabulary if vocabulary is not None else _vocabulary()
                for close in difflib.get_close_matches(word, vocabulary, n=3, cutoff=0.75):
                    close_sql, close_params = _any_field(close, fields)
                    sql += " OR " + close_sql
                    word_params += close_params
        conditions.append(f"({sql})")
        params += word_params
    score = f"CASE WHEN {_like_sql(title)} THEN 2 ELSE 0 END"
    score_params = [_like(" ".join(words))]
    if postgres:
        spelt = " ".join((typos.get(word) or [word])[0] for word in words)
        text_rank = (
            f"ts_rank(to_tsvector('english', COALESCE({title}, '')),"
            " plainto_tsquery('english', %s))"
        )
        score_params.append(spelt)
    else:
        text_rank = "0"
    return (
        f"SELECT {columns}, {score} AS score, {text_rank} AS text_rank {source}"
        f" AND {' AND '.join(conditions)}"
        f" ORDER BY score DESC, text_rank DESC, {title} LIMIT %s",
        score_params + params,
    )


def _role_hits(cursor, words, typos, limit, today) -> list[RoleHit]:
    """The best active roles, with the people holding them: one query."""
    ranked, params = _ranked_sql(
        "r.id, r.title, rd.code, rd.name",
        f"FROM {table(Role)} r JOIN {table(Department)} rd ON rd.id = r.department_id"
        " WHERE r.active",
        ["r.title", "r.purpose"],
        "r.title",
        words,
        typos,
        cursor,
    )
    holder_columns, holder_joins = _holder_sql("hit")
    cursor.execute(
        f"""
        {TRIGRAM_INDEXES if _is_postgres() else ""}
        WITH hit (id, title, code, name, score, text_rank) AS ({ranked})
        SELECT hit.id, hit.title, hit.code, hit.name, {holder_columns}
        FROM hit {holder_joins}
        ORDER BY hit.score DESC, hit.text_rank DESC, hit.title, hit.id, h.since, h.id
        """,
        [*params, limit, today, today],
    )
    roles: dict[int, RoleHit] = {}
    for row in cursor.fetchall():
        role = roles.get(row[0])
        if role is None:
            role = roles[row[0]] = RoleHit(row[0], row[1], Place(row[2], row[3]))
        holder = _holder(row[4:])
        if holder:
            role.holders.append(holder)
    return list(roles.values())


def _places(cursor, model, fields, words, typos, limit) -> list[Place]:
    """The best departments or projects (`fields` searched, `name` their title)."""
    sql, params = _ranked_sql(
        "t.code, t.name",
        f"FROM {table(model)} t WHERE 1 = 1",
        [f"t.{name}" for name in fields],
        "t.name",
        words,
        typos,
        cursor,
    )
    cursor.execute(sql, [*params, limit])
    kind = "project" if model is Project else "department"
    return [Place(code, name, kind) for code, name, _score, _rank in cursor.fetchall()]


def _person_hits(cursor, words, limit, today) -> list[PersonHit]:
    """Active people whose name, username or e-mail holds every word, with the roles
    they hold now: one query."""
    conditions, params = [], []
    for word in words:
        if _is_postgres():
            # Each table through its trigram index (migration 0017): an OR across the
            # two sides of a join would compute ILIKE for every person. (The planner
            # picks those indexes itself; forbidding other scans made it run the
            # lookups once per person.)
            conditions.append(
                f"u.id IN (SELECT id FROM {table(get_user_model())} WHERE {PERSON_TEXT}"
                f" ILIKE %s UNION ALL SELECT user_id FROM {table(Profile)}"
                " WHERE display_name ILIKE %s)"
            )
            params += [_like(word)] * 2
            continue
        sql, word_params = _any_field(
            word, ["u.username", "u.email", "u.first_name", "u.last_name", "pr.display_name"]
        )
        conditions.append(f"({sql})")
        params += word_params
    cursor.execute(
        f"""
        {AS_WRITTEN if _is_postgres() else ""}
        WITH hit (id, username, first_name, last_name, email, display_name) AS (
            SELECT u.id, u.username, u.first_name, u.last_name, u.email, pr.display_name
            FROM {table(get_user_model())} u
            LEFT JOIN {table(Profile)} pr ON pr.user_id = u.id
            WHERE u.is_active AND {" AND ".join(conditions)}
            ORDER BY pr.display_name, u.username
            LIMIT %s
        )
        SELECT hit.id, hit.username, hit.first_name, hit.last_name, hit.email,
               hit.display_name, r.title, rd.name
        FROM hit
        LEFT JOIN {table(RoleHolder)} h ON h.person_id = hit.id AND {holding_now("h")}
        LEFT JOIN {table(Role)} r ON r.id = h.role_id
        LEFT JOIN {table(Department)} rd ON rd.id = r.department_id
        ORDER BY hit.display_name, hit.username, h.since, h.id
        """,
        [*params, limit, today, today],
    )
    people: dict[int, PersonHit] = {}
    for pk, username, first_name, last_name, email, display_name, role, place in cursor.fetchall():
        person = people.get(pk)
        if person is None:
            name = Profile.name_of(display_name, first_name, last_name, username)
            person = people[pk] = PersonHit(pk, username, name, email or "")
        if role is not None:
            person.holdings.append((role, place))
    return list(people.values())


def search(query: str, *, limit: int = 20) -> Results:
    """The best `limit` matches of each kind: duties first (with who owns them), then
    roles, departments, projects and people; a constant number of queries."""
    query = " ".join(query.split())[:200]
    words = _words(query)
    if len(query) < MIN_QUERY_LENGTH or not words:
        return Results(query=query, duties=[], roles=[], departments=[], projects=[], people=[])

    today = timezone.localdate()
    duties, typos = _duty_hits(words, " ".join(words), limit, today)
    with connection.cursor() as cursor:
        roles = _role_hits(cursor, words, typos, limit, today)
        departments = _places(
            cursor, Department, ["name", "code", "description"], words, typos, limit
        )
        projects = _places(cursor, Project, ["name", "code", "goal"], words, typos, limit)
        people = _person_hits(cursor, words, limit, today)
    return Results(
        query=query,
        duties=duties,
        roles=roles,
        departments=departments,
        projects=projects,
        people=people,
        corrections=[(word, typos[word]) for word in dict.fromkeys(words) if typos.get(word)],
    )


def my_responsibilities(user) -> dict[str, list[Assignment]]:
    """Everything the user is R, A, C or I for, through the roles they hold now."""
    held = RoleHolder.objects.current().filter(person=user).values("role_id")
    assignments = (
        Assignment.objects.filter(role__in=held, duty__active=True)
        .select_related("duty__department", "duty__project", "role")
        .order_by("duty__title")
    )
    grouped: dict[str, list[Assignment]] = {
        letter: [] for letter in (raci.A, raci.AR, raci.R, raci.C, raci.I)
    }
    for assignment in assignments:
        grouped[assignment.letter].append(assignment)
    return grouped
