"""The search index (PostgreSQL: stored tsvector and trigram text; SQLite: FTS5) follows
every write that changes what a duty is found by: its own texts, its owners (A and R
cells, through the matrix service or a bulk import) and its owners' role titles."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orgmap.models import Department, Role
from responsibilities import raci
from responsibilities.models import Assignment, Duty, SearchWord
from responsibilities.search import cjk_grams, corrections, edits, search
from responsibilities.services import assignment_set, duty_create
from tests.factories import DepartmentFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab():
    department = Department.objects.create(name="Laboratory", code="LAB")
    chemist = Role.objects.create(title="Chemist", department=department)
    duty = duty_create(title="Calibrate the spectrometer", department=department)
    return department, chemist, duty


def _titles(query: str) -> list[str]:
    return [hit.title for hit in search(query).duties]


def test_a_duty_is_found_by_the_title_of_its_responsible_role(lab):
    _department, chemist, duty = lab
    assert _titles("chemist") == []
    assignment_set(duty=duty, role=chemist, letter=raci.R, expected_version=0, by=None)
    assert _titles("chemist") == ["Calibrate the spectrometer"]


def test_consulted_and_informed_roles_do_not_make_a_duty_found(lab):
    _department, chemist, duty = lab
    result = assignment_set(duty=duty, role=chemist, letter=raci.C, expected_version=0, by=None)
    assert _titles("chemist") == []
    assignment_set(
        duty=duty, role=chemist, letter=raci.AR, expected_version=result.version, by=None
    )
    assert _titles("chemist") == ["Calibrate the spectrometer"]


def test_clearing_the_cell_removes_the_role_from_the_index(lab):
    _department, chemist, duty = lab
    result = assignment_set(duty=duty, role=chemist, letter=raci.A, expected_version=0, by=None)
    assignment_set(duty=duty, role=chemist, letter=None, expected_version=result.version, by=None)
    assert _titles("chemist") == []


def test_renaming_a_role_renames_it_in_the_index(lab):
    _department, chemist, duty = lab
    assignment_set(duty=duty, role=chemist, letter=raci.R, expected_version=0, by=None)
    chemist.title = "Analytical scientist"
    chemist.save(update_fields=["title"])
    assert _titles("chemist") == []
    assert _titles("analytical scientist") == ["Calibrate the spectrometer"]


def test_editing_a_duty_reindexes_its_title_and_description(lab):
    _department, _chemist, duty = lab
    duty.title = "Clean the centrifuge"
    duty.description = "Weekly, with the approved detergent"
    duty.save()
    assert _titles("spectrometer") == []
    assert _titles("centrifuge") == ["Clean the centrifuge"]
    assert _titles("detergent") == ["Clean the centrifuge"]


def test_bulk_inserted_cells_are_indexed(lab):
    # The RACI import writes cells with bulk_create, past every service and signal.
    department, chemist, _duty = lab
    duties = Duty.objects.bulk_create(
        [
            Duty(title=f"Prepare sample batch {n}", title_key=f"b{n}", department=department)
            for n in range(3)
        ]
    )
    now = timezone.now()
    Assignment.objects.bulk_create(
        [Assignment(duty=duty, role=chemist, letter=raci.R, updated_at=now) for duty in duties]
    )
    assert sorted(_titles("chemist")) == [f"Prepare sample batch {n}" for n in range(3)]
    Assignment.objects.filter(duty__in=duties[:2]).delete()
    assert _titles("chemist") == ["Prepare sample batch 2"]


def test_a_match_in_the_title_ranks_before_a_match_in_the_owners(lab):
    department, chemist, duty = lab
    assignment_set(duty=duty, role=chemist, letter=raci.R, expected_version=0, by=None)
    duty_create(title="Order chemist supplies", department=department)
    assert _titles("chemist") == ["Order chemist supplies", "Calibrate the spectrometer"]


def test_deleted_duties_leave_the_index(lab):
    _department, _chemist, duty = lab
    duty.delete()
    assert _titles("spectrometer") == []


def test_chinese_substring_and_typo(lab):
    department, _chemist, _duty = lab
    duty_create(title="编制月度财务报告", department=department)
    assert _titles("财务") == ["编制月度财务报告"]  # two characters: shorter than a trigram
    assert _titles("月度财务") == ["编制月度财务报告"]
    assert _titles("spectromter") == ["Calibrate the spectrometer"]


def test_chinese_words_are_found_whole_not_by_scattered_characters(lab):
    department, _chemist, _duty = lab
    duty_create(title="财务 务报 报告", department=department)  # every pair, never together
    duty_create(title="提交质量报告", department=department)
    assert _titles("财务报告") == []
    assert _titles("质 报告") == ["提交质量报告"]  # one character stands for itself
    assert _titles("质量报告") == ["提交质量报告"]
    assert _titles("quality 质量") == []  # every word must occur


def test_chinese_characters_are_searched_by_their_pairs():
    assert cjk_grams("财务报告") == ["财务", "务报", "报告"]
    assert cjk_grams("质") == ["质"]
    assert cjk_grams("KPI指标review") == ["指标"]
    assert cjk_grams("budget") == []


def test_query_count_does_not_grow_with_the_matches(lab):
    department, chemist, duty = lab
    assignment_set(duty=duty, role=chemist, letter=raci.R, expected_version=0, by=None)

    def count(query: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            search(query)
        return len(captured)

    search("calibrate")  # the spelling vocabulary is cached after the first search
    few = count("calibrate")
    for n in range(30):
        duty = duty_create(title=f"Calibrate balance {n}", department=department)
        assignment_set(duty=duty, role=chemist, letter=raci.R, expected_version=0, by=None)
    assert count("calibrate") == few
    assert len(search("calibrate").duties) == 20


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's typo round trips")
def test_a_search_spelt_right_takes_one_duty_query_and_a_typo_two_more(lab):
    _department, chemist, duty = lab
    assignment_set(duty=duty, role=chemist, letter=raci.R, expected_version=0, by=None)

    def duty_statements(query: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            search(query)
        return sum("d.search_text LIKE" in q["sql"] for q in captured.captured_queries)

    assert duty_statements("calibrate") == 1
    assert duty_statements("calibrte spectrometer") == 3  # which words occur, then similarity
    assert [hit.id for hit in search("calibrte").duties] == [duty.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")
def test_duty_search_can_use_the_indexes_on_postgresql(lab):
    # On a tiny table the planner rightly prefers a scan; forbid it to see that the
    # conditions are index-supported at all (a per-row function would still scan).
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute(
                "EXPLAIN SELECT id FROM responsibilities_duty d "
                "WHERE d.active AND (d.search_text ILIKE %s OR %s <%% d.title "
                "OR d.search_vector @@ plainto_tsquery('english', %s))",
                ["%calibrate%", "spectromter", "calibrate spectromter"],
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "responsibilities_duty_search_text_trgm" in plan
    assert "responsibilities_duty_title_trgm" in plan
    assert "responsibilities_duty_search_vector" in plan
    assert "Seq Scan" not in plan
    with connection.cursor() as cursor:  # a typo's nearest title words: a walk of an index
        cursor.execute(
            "EXPLAIN SELECT word FROM responsibilities_search_word ORDER BY word <-> %s LIMIT 20",
            ["spectromter"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using responsibilities_search_word_trgm" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's stored text")
def test_the_search_text_is_stored_in_lower_case_and_found_in_any_case(lab):
    department, chemist, duty = lab
    assignment_set(duty=duty, role=chemist, letter=raci.R, expected_version=0, by=None)
    Role.objects.filter(pk=chemist.pk).update(title="Senior CHEMIST")  # the index's trigger
    other = duty_create(title="Order NaCl Crystals", department=department)

    def stored(pk: int) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT search_text FROM responsibilities_duty WHERE id = %s", [pk])
            return cursor.fetchone()[0]

    assert stored(duty.pk).startswith("calibrate the spectrometer senior chemist")
    assert stored(other.pk).startswith("order nacl crystals")
    assert _titles("NACL crystals") == ["Order NaCl Crystals"]
    assert _titles("SENIOR chemist") == ["Calibrate the spectrometer"]
    # The whole query in the title ranks first, even where the title is not the whole text.
    duty_create(title="Crystals of NaCl", department=department, description="order nacl")
    assert _titles("nacl crystals")[0] == "Order NaCl Crystals"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")
def test_roles_and_people_are_looked_up_through_trigram_indexes_on_postgresql(lab):
    """The conditions search writes are the ones the indexes of migration 0017 serve."""
    department, _chemist, _duty = lab
    Role.objects.create(title="Spectrometer technician", department=department)
    with CaptureQueriesContext(connection) as captured:
        search("spectrometer")
    statements = {
        kind: next(q["sql"] for q in captured.captured_queries if marker in q["sql"])
        for kind, marker in (("roles", "FROM orgmap_role r"), ("people", "FROM auth_user u"))
    }
    plans = {}
    with connection.cursor() as cursor:
        for kind, sql in statements.items():
            settings, _sep, statement = sql.rpartition(";")
            cursor.execute("SET enable_seqscan = off")
            try:
                cursor.execute("EXPLAIN " + statement)
                plans[kind] = "\n".join(row[0] for row in cursor.fetchall())
            finally:
                cursor.execute("RESET enable_seqscan")
            assert "set_config('join_collapse_limit', '1', true)" in settings
    assert "orgmap_role_title_trgm" in plans["roles"]
    assert "orgmap_role_purpose_trgm" in plans["roles"]
    assert "orgmap_person_text_trgm" in plans["people"]
    assert "orgmap_profile_display_name_trgm" in plans["people"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")
def test_a_chinese_word_is_looked_up_by_its_character_pairs_on_postgresql(lab):
    """A two-character word holds no whole trigram: the trigram index would be read
    whole. The stored character pairs answer from their own index."""
    department, _chemist, _duty = lab
    duty = duty_create(title="审核合同", department=department)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_grams::text FROM responsibilities_duty WHERE id = %s", [duty.pk]
        )
        assert cursor.fetchone()[0] == "'合' '合同' '同' '审' '审核' '核' '核合'"
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute(
                "EXPLAIN SELECT id FROM responsibilities_duty d "
                "WHERE d.search_grams @@ %s::tsquery AND d.search_text ILIKE %s",
                ["'合同'", "%合同%"],
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "responsibilities_duty_search_grams" in plan
    assert _titles("合同") == ["审核合同"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's stemming")
def test_roles_are_found_by_word_forms_typos_and_past_stop_words_on_postgresql(lab):
    department, _chemist, _duty = lab
    Role.objects.create(title="Report Writer", department=department)
    Role.objects.create(title="Budget Analyst", department=department)
    Role.objects.create(title="Accountant", department=department)

    def roles(query: str) -> list[str]:
        return [role.title for role in search(query).roles]

    assert roles("reporting") == ["Report Writer"]  # the stem in the title
    assert roles("the budget") == ["Budget Analyst"]  # a stop word asks for nothing
    assert roles("acountant") == ["Accountant"]  # in no duty: a typo, matched by similarity
    # A word that some duty contains is spelt right: no similarity over every role.
    with CaptureQueriesContext(connection) as captured:
        assert roles("spectrometer") == []
    role_query = next(
        q["sql"] for q in captured.captured_queries if "FROM orgmap_role r" in q["sql"]
    )
    assert "%>" not in role_query and "to_tsvector" not in role_query.split("WHERE")[1]


def test_edits_count_insertions_deletions_substitutions_and_swaps():
    assert edits("receive", "receive") == 0
    assert edits("recieve", "receive") == 1  # two neighbours swapped
    assert edits("sofware", "software") == 1
    assert edits("forecast", "forcast") == 1
    assert edits("budget", "budgte") == 1
    assert edits("kitten", "sitting") == 3
    assert edits("", "abc") == edits("abc", "") == 3


def test_a_typo_is_corrected_to_the_fewest_edits_and_only_when_close():
    nearest = ["inventories", "invent", "inventory", "invention"]  # trigram order
    assert corrections("inventroy", nearest) == ["inventory"]
    # Every word one edit away, none two away when one is.
    assert corrections("recieve", ["relieve", "retrieve", "recipe", "receive"]) == [
        "relieve",
        "receive",
    ]
    assert corrections("recieve", ["retrieve", "recitals"]) == ["retrieve"]
    assert corrections("bugdet", ["budget"]) == ["budget"]
    assert corrections("teem", ["team", "them", "term", "tee"]) == ["team", "them", "term"]
    assert corrections("xyzzy", ["fuzzy", "dizzy"]) == []  # two edits: too far for five letters


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's word triggers")
def test_title_words_are_kept_for_spelling_correction_on_postgresql(lab):
    department, chemist, duty = lab

    def words() -> set[str]:
        return set(SearchWord.objects.values_list("word", flat=True))

    assert {"calibrate", "the", "spectrometer", "chemist", "laboratory"} <= words()
    titles = ["Titrate acids", "Weigh reagents (daily)"]
    Duty.objects.bulk_create(  # a bulk import: one statement, its words with it
        [Duty(title=t, title_key=raci.duty_identity(t), department=department) for t in titles]
    )
    assert {"titrate", "acids", "weigh", "reagents", "daily"} <= words()
    chemist.title = "Analytical scientist"
    chemist.save()
    ProjectFactory(name="Greenhouse retrofit")
    DepartmentFactory(name="Metrology")
    assert {"analytical", "scientist", "greenhouse", "retrofit", "metrology"} <= words()
    assert "chemist" in words()  # words are only added: a correction to it finds nothing
    assert not {"of", "a", "(daily)"} & words()  # shorter than three letters, punctuation
    assignment_set(duty=duty, role=chemist, letter=raci.R, expected_version=0, by=None)
    assert _titles("scientst") == ["Calibrate the spectrometer"]  # through its owner
    assert _titles("metrolgy") == []  # corrected, but no duty holds the word
    assert [role.title for role in search("analytcal").roles] == ["Analytical scientist"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's word triggers")
def test_a_corrected_word_is_also_found_in_its_other_forms_on_postgresql(lab):
    department, _chemist, _duty = lab
    duty_create(title="Receive invoices", department=department)
    duty_create(title="Relieve the night shift", department=department)
    duty_create(title="Log receiving of shipments", department=department)
    results = search("recieve shipment")
    assert results.corrections == [("recieve", ["relieve", "receive"])]
    # "receiving" holds no "receive": found by the stem of either correction.
    assert [hit.title for hit in results.duties] == ["Log receiving of shipments"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN pending lists")
@pytest.mark.django_db(transaction=True)
def test_pending_lists_stay_short_except_in_a_bulk_import_of_its_own():
    from django.db import transaction

    from responsibilities import search_indexes

    def limit() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW gin_pending_list_limit")
            return cursor.fetchone()[0]

    assert limit() == "256kB"  # every connection of the app (settings.py)
    with transaction.atomic():
        search_indexes.start_bulk_writes()
        assert limit() == "4MB"
        search_indexes.merge_pending()  # the indexes exist under these names
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_class WHERE relkind = 'i' AND relname = ANY(%s)",
                [search_indexes.INDEXES],
            )
            assert cursor.fetchone()[0] == len(search_indexes.INDEXES)
    assert limit() == "256kB"  # for that transaction only
