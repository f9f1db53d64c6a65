"""The RACI findings engine, specified rule by rule over plain data (no database)."""

from __future__ import annotations

import dataclasses
import random

import pytest

from responsibilities import raci
from responsibilities.raci import (
    AR,
    RULES,
    A,
    C,
    DuplicateTitle,
    DutyFacts,
    DutyRef,
    Finding,
    Fix,
    R,
    RoleLoad,
    RoleRef,
    Severity,
    analyse,
    duplicate_findings,
    duty_findings,
    normalise_title,
    parse_letter,
    role_findings,
    summarise,
)

OPS, SALES, HR = (1, "OPS"), (2, "SALES"), (3, "HR")


def role(role_id: int, title: str, dept=OPS, *, active=True, vacant=False) -> RoleRef:
    return RoleRef(role_id, title, dept[0], dept[1], active=active, vacant=vacant)


HEAD = role(1, "Head of Operations")
CLERK = role(2, "Operations Clerk")
PLANNER = role(3, "Planner")
ANALYST = role(4, "Analyst")
SELLER = role(20, "Account Manager", SALES)


def duty(
    *,
    a=(),
    r=(),
    ar=(),
    inactive=(),
    head: RoleRef | None = HEAD,
    project: tuple[int, str] | None = None,
    active=True,
    dept=OPS,
    title="Prepare the monthly report",
    duty_id=100,
) -> DutyFacts:
    """A duty with roles by letter; AR roles land in both accountable and responsible."""
    return DutyFacts(
        id=duty_id,
        title=title,
        department_id=dept[0],
        department_code=dept[1],
        project_id=project[0] if project else None,
        project_code=project[1] if project else None,
        active=active,
        accountable=(*a, *ar),
        responsible=(*r, *ar),
        inactive_assigned=tuple(inactive),
        head_role=head,
    )


def rules_of(findings: list[Finding]) -> list[str]:
    return [finding.rule for finding in findings]


def only(findings: list[Finding], rule: str) -> Finding:
    matching = [finding for finding in findings if finding.rule == rule]
    assert len(matching) == 1, rules_of(findings)
    return matching[0]


# --- letters and titles -------------------------------------------------------------------


def test_letters_are_stored_as_plain_codes_and_ar_is_shown_with_a_slash():
    assert raci.LETTERS == ("R", "A", "C", "I", "AR")
    assert raci.LETTER_LABELS[AR] == "A/R"
    assert frozenset({A, AR}) == raci.ACCOUNTABLE_LETTERS
    assert frozenset({R, AR}) == raci.RESPONSIBLE_LETTERS


@pytest.mark.parametrize(
    ("typed", "letter"),
    [
        ("R", R),
        ("r", R),
        (" a ", A),
        ("c", C),
        ("I", raci.I),
        ("A/R", AR),
        ("a/r", AR),
        ("AR", AR),
        ("RA", AR),
        ("R/A", AR),
        (" a / r ", AR),
        ("Ａ／Ｒ", AR),  # full-width, as a Chinese input method types it
    ],
)
def test_parse_letter_accepts_the_spellings_people_type(typed, letter):
    assert parse_letter(typed) == letter


@pytest.mark.parametrize("typed", ["", "   ", "-", " - "])
def test_parse_letter_reads_empty_or_dash_as_no_assignment(typed):
    assert parse_letter(typed) is None


@pytest.mark.parametrize("typed", ["X", "RC", "A//R", "AA", "responsible", "--"])
def test_parse_letter_rejects_anything_else_with_a_clear_message(typed):
    with pytest.raises(ValueError, match="not a RACI letter") as excinfo:
        parse_letter(typed)
    assert typed.strip() in str(excinfo.value)
    assert "A/R" in str(excinfo.value)


def test_normalise_title_ignores_case_spacing_and_punctuation():
    assert normalise_title("Prepare  the Monthly Report.") == "prepare the monthly report"
    assert normalise_title("  Prepare the monthly report ") == "prepare the monthly report"
    assert normalise_title("Prepare\tthe monthly, report!") == "prepare the monthly report"


def test_normalise_title_keeps_chinese_text_and_drops_chinese_punctuation():
    assert normalise_title("编制月度报告。") == "编制月度报告"
    assert normalise_title("编制、审核《月度报告》！") == "编制审核月度报告"
    assert normalise_title("编制，月度报告") == normalise_title("编制月度报告")


def test_normalise_title_folds_full_width_and_compatibility_characters():
    assert normalise_title("Ｍｏｎｔｈｌｙ Ｒｅｐｏｒｔ") == "monthly report"
    assert normalise_title("Ofﬁce Supplies") == "office supplies"


# --- rule table -------------------------------------------------------------------------


def test_rules_lists_every_code_with_its_severity_most_severe_first():
    assert RULES == {
        "NO_ACCOUNTABLE": Severity.ERROR,
        "MULTIPLE_ACCOUNTABLE": Severity.ERROR,
        "NO_RESPONSIBLE": Severity.ERROR,
        "VACANT_ACCOUNTABLE": Severity.WARNING,
        "VACANT_RESPONSIBLE": Severity.WARNING,
        "INACTIVE_ROLE_ASSIGNED": Severity.WARNING,
        "CROSS_DEPARTMENT_DUPLICATE": Severity.WARNING,
        "DUPLICATE_DUTY": Severity.WARNING,
        "MISSING_HANDOFF": Severity.WARNING,
        "UNCONFIRMED_ACCOUNTABILITY": Severity.WARNING,
        "ROLE_OVERLOADED": Severity.WARNING,
        "ROLE_WITHOUT_DUTIES": Severity.INFO,
    }
    assert list(RULES) == sorted(
        RULES, key=lambda code: ["error", "warning", "info"].index(RULES[code])
    )


# --- duty rules -------------------------------------------------------------------------


def test_well_formed_duty_has_no_findings():
    assert duty_findings(duty(a=[HEAD], r=[CLERK])) == []


def test_inactive_duty_is_ignored_however_broken():
    broken = duty(a=[role(5, "Gone", active=False)], inactive=[role(5, "Gone", active=False)])
    assert duty_findings(dataclasses.replace(broken, active=False)) == []
    assert duty_findings(duty(active=False)) == []


def test_ar_only_duty_is_both_accountable_and_responsible():
    assert duty_findings(duty(ar=[CLERK])) == []


def test_duty_without_accountable_suggests_the_single_responsible_role():
    finding = only(duty_findings(duty(r=[CLERK])), "NO_ACCOUNTABLE")
    assert finding.severity == Severity.ERROR
    assert "Prepare the monthly report" in finding.message
    assert "OPS" in finding.message
    assert "Operations Clerk" in finding.suggestion
    assert "A/R" in finding.suggestion
    assert finding.fix == Fix(duty_id=100, role_id=CLERK.id, letter=AR)


def test_duty_without_accountable_and_several_responsible_suggests_the_head_role():
    finding = only(duty_findings(duty(r=[CLERK, PLANNER])), "NO_ACCOUNTABLE")
    assert "Head of Operations" in finding.suggestion
    assert finding.fix == Fix(100, HEAD.id, A)


def test_head_role_that_already_does_the_work_is_suggested_as_a_r_not_a():
    finding = only(duty_findings(duty(r=[HEAD, CLERK])), "NO_ACCOUNTABLE")
    assert finding.fix == Fix(100, HEAD.id, AR)


def test_head_role_that_is_the_sole_responsible_is_made_a_r():
    finding = only(duty_findings(duty(r=[HEAD])), "NO_ACCOUNTABLE")
    assert finding.fix == Fix(100, HEAD.id, AR)
    assert "A/R" in finding.suggestion


def test_duty_without_accountable_nor_head_role_asks_to_choose_one():
    finding = only(duty_findings(duty(r=[CLERK, PLANNER], head=None)), "NO_ACCOUNTABLE")
    assert finding.suggestion == "Choose one role to be accountable."
    assert finding.fix is None


def test_an_inactive_accountable_role_does_not_count_as_accountable():
    gone = role(9, "Former Controller", active=False)
    findings = duty_findings(duty(a=[gone], r=[CLERK], inactive=[gone]))
    assert rules_of(findings) == ["NO_ACCOUNTABLE", "INACTIVE_ROLE_ASSIGNED"]
    assert only(findings, "NO_ACCOUNTABLE").fix == Fix(100, CLERK.id, AR)


def test_multiple_accountable_keeps_the_head_role_and_demotes_the_other():
    # "Analyst" sorts before "Head of Operations": the head wins anyway.
    finding = only(duty_findings(duty(a=[HEAD, ANALYST], r=[CLERK])), "MULTIPLE_ACCOUNTABLE")
    assert finding.severity == Severity.ERROR
    assert [r.title for r in finding.roles] == ["Analyst", "Head of Operations"]
    assert "Keep Head of Operations accountable" in finding.suggestion
    assert "make Analyst Responsible" in finding.suggestion
    assert finding.fix == Fix(100, ANALYST.id, R)


def test_multiple_accountable_without_the_head_keeps_the_first_by_title():
    finding = only(duty_findings(duty(a=[PLANNER, ANALYST], r=[CLERK])), "MULTIPLE_ACCOUNTABLE")
    assert "Keep Analyst accountable" in finding.suggestion
    assert finding.fix == Fix(100, PLANNER.id, R)


def test_two_a_r_roles_are_multiple_accountable_and_the_other_becomes_r():
    findings = duty_findings(duty(ar=[CLERK, PLANNER], head=None))
    assert rules_of(findings) == ["MULTIPLE_ACCOUNTABLE"]
    assert findings[0].fix == Fix(100, PLANNER.id, R)


def test_duty_without_responsible_suggests_making_the_accountable_role_a_r():
    finding = only(duty_findings(duty(a=[PLANNER])), "NO_RESPONSIBLE")
    assert finding.severity == Severity.ERROR
    assert "Planner" in finding.suggestion
    assert finding.fix == Fix(100, PLANNER.id, AR)


def test_duty_without_responsible_and_several_accountable_has_no_single_fix():
    finding = only(duty_findings(duty(a=[PLANNER, ANALYST])), "NO_RESPONSIBLE")
    assert finding.fix is None


def test_duty_with_nobody_at_all_is_missing_both_accountable_and_responsible():
    assert rules_of(duty_findings(duty())) == ["NO_ACCOUNTABLE", "NO_RESPONSIBLE"]


def test_vacant_accountable_role_suggests_the_held_head_role():
    vacant = role(6, "Controller", vacant=True)
    finding = only(duty_findings(duty(a=[vacant], r=[CLERK])), "VACANT_ACCOUNTABLE")
    assert finding.severity == Severity.WARNING
    assert finding.roles == (vacant,)
    assert "Controller" in finding.message
    assert "Head of Operations" in finding.suggestion
    assert finding.fix == Fix(100, HEAD.id, A)


def test_filling_the_accountable_role_clears_the_vacancy_finding():
    vacant = role(6, "Controller", vacant=True)
    assert "VACANT_ACCOUNTABLE" in rules_of(duty_findings(duty(a=[vacant], r=[CLERK])))
    filled = dataclasses.replace(vacant, vacant=False)
    assert duty_findings(duty(a=[filled], r=[CLERK])) == []


def test_vacant_accountable_head_role_has_no_one_to_hand_over_to():
    vacant_head = dataclasses.replace(HEAD, vacant=True)
    finding = only(
        duty_findings(duty(a=[vacant_head], r=[CLERK], head=vacant_head)), "VACANT_ACCOUNTABLE"
    )
    assert finding.fix is None
    assert "Head of Operations" in finding.suggestion


def test_vacant_accountable_is_not_handed_to_a_vacant_head_role():
    vacant = role(6, "Controller", vacant=True)
    vacant_head = dataclasses.replace(HEAD, vacant=True)
    finding = only(
        duty_findings(duty(a=[vacant], r=[CLERK], head=vacant_head)), "VACANT_ACCOUNTABLE"
    )
    assert finding.fix is None


def test_one_vacant_accountable_finding_per_vacant_role():
    one, two = role(6, "Controller", vacant=True), role(7, "Auditor", vacant=True)
    findings = duty_findings(duty(a=[one, two], r=[CLERK]))
    assert [f.roles for f in findings if f.rule == "VACANT_ACCOUNTABLE"] == [(two,), (one,)]


def test_vacant_responsible_only_when_every_responsible_role_is_vacant():
    one, two = role(6, "Driver", vacant=True), role(7, "Loader", vacant=True)
    assert duty_findings(duty(a=[HEAD], r=[one, CLERK])) == []
    finding = only(duty_findings(duty(a=[HEAD], r=[two, one])), "VACANT_RESPONSIBLE")
    assert finding.severity == Severity.WARNING
    assert finding.roles == (one, two)
    assert "Driver" in finding.message
    assert "Loader" in finding.message


def test_vacant_responsible_suggests_the_held_head_role_keeping_its_accountability():
    driver = role(6, "Driver", vacant=True)
    finding = only(duty_findings(duty(a=[HEAD], r=[driver])), "VACANT_RESPONSIBLE")
    assert "Head of Operations" in finding.suggestion
    assert finding.fix == Fix(100, HEAD.id, AR)


def test_vacant_responsible_ignores_inactive_roles_which_are_reported_separately():
    driver = role(6, "Driver", vacant=True)
    gone = role(9, "Porter", active=False, vacant=True)
    findings = duty_findings(duty(a=[HEAD], r=[driver, gone], inactive=[gone]))
    assert only(findings, "VACANT_RESPONSIBLE").roles == (driver,)
    only_inactive = duty_findings(duty(a=[HEAD], r=[gone], inactive=[gone]))
    assert "VACANT_RESPONSIBLE" not in rules_of(only_inactive)
    assert "INACTIVE_ROLE_ASSIGNED" in rules_of(only_inactive)


def test_each_inactive_assigned_role_is_reported_with_a_fix_that_clears_its_cell():
    gone, old = role(9, "Porter", active=False), role(8, "Archivist", active=False)
    findings = duty_findings(duty(a=[HEAD], r=[CLERK], inactive=[gone, old]))
    assert rules_of(findings) == ["INACTIVE_ROLE_ASSIGNED", "INACTIVE_ROLE_ASSIGNED"]
    assert [f.roles for f in findings] == [(old,), (gone,)]
    assert findings[1].fix == Fix(100, gone.id, None)
    assert "Porter" in findings[1].message
    assert "Porter" in findings[1].suggestion


def test_responsible_roles_in_two_departments_keep_the_owning_department():
    finding = only(duty_findings(duty(a=[HEAD], r=[CLERK, SELLER])), "CROSS_DEPARTMENT_DUPLICATE")
    assert finding.severity == Severity.WARNING
    assert finding.roles == (SELLER, CLERK)
    assert "Keep OPS Responsible" in finding.suggestion
    assert "Account Manager (SALES)" in finding.suggestion
    assert finding.fix == Fix(100, SELLER.id, C)


def test_a_r_in_another_department_keeps_its_accountability_when_asked_to_stop_doing_the_work():
    finding = only(duty_findings(duty(ar=[SELLER], r=[CLERK])), "CROSS_DEPARTMENT_DUPLICATE")
    assert finding.fix == Fix(100, SELLER.id, A)


def test_cross_department_responsibility_outside_the_owning_department_has_no_single_fix():
    recruiter = role(30, "Recruiter", HR)
    finding = only(
        duty_findings(duty(a=[HEAD], r=[SELLER, recruiter])), "CROSS_DEPARTMENT_DUPLICATE"
    )
    assert finding.fix is None


def test_project_duties_are_exempt_from_cross_department_duplicate():
    assert duty_findings(duty(a=[HEAD], r=[CLERK, SELLER], project=(7, "ERP"))) == []


def test_duty_findings_carry_the_duty_and_project_location():
    finding = only(duty_findings(duty(r=[CLERK], project=(7, "ERP"))), "NO_ACCOUNTABLE")
    assert (finding.department_id, finding.department_code) == OPS
    assert (finding.project_id, finding.project_code) == (7, "ERP")
    assert (finding.duty_id, finding.duty_title) == (100, "Prepare the monthly report")
    assert "ERP" in finding.message


# --- role rules -------------------------------------------------------------------------


def test_active_role_without_duties_is_reported_in_its_own_department():
    recruiter = role(30, "Recruiter", HR)
    finding = only(role_findings(RoleLoad(recruiter, 0, 0)), "ROLE_WITHOUT_DUTIES")
    assert finding.severity == Severity.INFO
    assert (finding.department_id, finding.department_code) == HR
    assert (finding.duty_id, finding.duty_title, finding.project_code) == (None, None, None)
    assert finding.roles == (recruiter,)
    assert "Recruiter" in finding.message


def test_role_with_only_consulted_duties_is_not_without_duties():
    assert role_findings(RoleLoad(CLERK, 1, 0)) == []


def test_inactive_role_is_not_reported_as_without_duties():
    assert role_findings(RoleLoad(role(9, "Porter", active=False), 0, 0)) == []


def test_role_at_exactly_the_overload_limit_is_fine():
    assert role_findings(RoleLoad(CLERK, 20, 15)) == []
    assert role_findings(RoleLoad(CLERK, 5, 4), overload_limit=4) == []


def test_role_one_over_the_overload_limit_is_overloaded():
    finding = only(role_findings(RoleLoad(CLERK, 20, 16)), "ROLE_OVERLOADED")
    assert finding.severity == Severity.WARNING
    assert "16" in finding.message
    assert "15" in finding.message
    assert "Operations Clerk" in finding.message
    assert rules_of(role_findings(RoleLoad(CLERK, 5, 5), overload_limit=4)) == ["ROLE_OVERLOADED"]


def test_inactive_role_is_never_overloaded():
    assert role_findings(RoleLoad(role(9, "Porter", active=False), 30, 30)) == []


# --- duplicate titles -------------------------------------------------------------------


def _group(*duties: DutyRef) -> DuplicateTitle:
    return DuplicateTitle(key=normalise_title(duties[0].title), duties=duties)


def test_duplicate_duty_across_departments_is_reported_to_every_department():
    ops = DutyRef(100, "Order office supplies", *OPS)
    sales = DutyRef(200, "Order Office Supplies.", *SALES)
    findings = duplicate_findings(_group(sales, ops))
    assert rules_of(findings) == ["DUPLICATE_DUTY", "DUPLICATE_DUTY"]
    by_department = {f.department_code: f for f in findings}
    assert by_department["OPS"].duty_id == 100
    assert "SALES" in by_department["OPS"].message
    assert by_department["SALES"].duty_title == "Order Office Supplies."
    assert "OPS" in by_department["SALES"].message
    assert all(f.severity == Severity.WARNING and f.project_id is None for f in findings)


def test_duplicate_duty_names_only_the_other_departments():
    findings = duplicate_findings(
        _group(
            DutyRef(100, "Stocktake", *OPS),
            DutyRef(101, "Stocktake", *OPS),
            DutyRef(200, "Stocktake", *SALES),
        )
    )
    assert len(findings) == 3
    for finding in findings:
        if finding.department_code == "OPS":
            assert "SALES" in finding.message and "OPS)" in finding.message
        else:
            assert "also exists in OPS" in finding.message


def test_duplicate_titles_within_one_department_are_not_this_rule():
    group = _group(DutyRef(100, "Stocktake", *OPS), DutyRef(101, "stocktake", *OPS))
    assert duplicate_findings(group) == []


# --- output -----------------------------------------------------------------------------


def test_as_dict_has_exactly_the_documented_keys():
    finding = only(duty_findings(duty(a=[PLANNER, HEAD], r=[CLERK])), "MULTIPLE_ACCOUNTABLE")
    assert finding.as_dict() == {
        "rule": "MULTIPLE_ACCOUNTABLE",
        "severity": "error",
        "department": "OPS",
        "project": None,
        "duty": "Prepare the monthly report",
        "duty_id": 100,
        "roles": ["Head of Operations", "Planner"],
        "message": finding.message,
        "suggestion": finding.suggestion,
    }


def test_role_finding_as_dict_has_no_duty():
    data = role_findings(RoleLoad(CLERK, 0, 0))[0].as_dict()
    assert (data["duty"], data["duty_id"], data["project"]) == (None, None, None)
    assert data["roles"] == ["Operations Clerk"]


def _scenario():
    recruiter = role(30, "Recruiter", HR)
    duties = [
        duty(r=[CLERK], title="Zone audit", duty_id=101),
        duty(a=[HEAD], r=[CLERK, SELLER], title="Answer complaints", duty_id=102),
        duty(title="Book freight", duty_id=103, head=None),
        duty(a=[SELLER], r=[SELLER], title="Quote", dept=SALES, duty_id=201, head=None),
        duty(active=False, title="Old duty", duty_id=104),
    ]
    loads = [RoleLoad(recruiter, 0, 0), RoleLoad(CLERK, 20, 16), RoleLoad(PLANNER, 0, 0)]
    duplicates = [_group(DutyRef(101, "Zone audit", *OPS), DutyRef(202, "Zone Audit", *SALES))]
    return duties, loads, duplicates


def test_analyse_sorts_by_department_then_rule_then_duty_then_role():
    duties, loads, duplicates = _scenario()
    found = [(f.department_code, f.rule, f.duty_title) for f in analyse(duties, loads, duplicates)]
    assert found == [
        ("HR", "ROLE_WITHOUT_DUTIES", None),
        ("OPS", "NO_ACCOUNTABLE", "Book freight"),
        ("OPS", "NO_ACCOUNTABLE", "Zone audit"),
        ("OPS", "NO_RESPONSIBLE", "Book freight"),
        ("OPS", "CROSS_DEPARTMENT_DUPLICATE", "Answer complaints"),
        ("OPS", "DUPLICATE_DUTY", "Zone audit"),
        ("OPS", "ROLE_OVERLOADED", None),
        ("OPS", "ROLE_WITHOUT_DUTIES", None),
        ("SALES", "DUPLICATE_DUTY", "Zone Audit"),
    ]


def test_analyse_order_does_not_depend_on_input_order():
    duties, loads, duplicates = _scenario()
    expected = analyse(duties, loads, duplicates)
    for seed in range(5):
        shuffled = [list(items) for items in (duties, loads, duplicates)]
        for items in shuffled:
            random.Random(seed).shuffle(items)
        assert analyse(*(iter(items) for items in shuffled)) == expected


def test_analyse_passes_the_overload_limit_to_the_role_rules():
    duties, loads, duplicates = _scenario()
    assert "ROLE_OVERLOADED" not in rules_of(analyse(duties, loads, duplicates, overload_limit=16))


def test_summarise_counts_findings_per_rule_in_rule_order():
    duties, loads, duplicates = _scenario()
    summary = summarise(analyse(duties, loads, duplicates))
    assert summary == {
        "NO_ACCOUNTABLE": 2,
        "NO_RESPONSIBLE": 1,
        "CROSS_DEPARTMENT_DUPLICATE": 1,
        "DUPLICATE_DUTY": 2,
        "ROLE_OVERLOADED": 1,
        "ROLE_WITHOUT_DUTIES": 2,
    }
    assert list(summary) == [code for code in RULES if code in summary]
    assert summarise([]) == {}


# --------------------------------------------------------------- MISSING_HANDOFF


def _handoff_duty(**overrides):
    sales_head = raci.RoleRef(
        id=1,
        title="Head of Sales",
        department_id=10,
        department_code="SALES",
        active=True,
        vacant=False,
    )
    engineer = raci.RoleRef(
        id=2,
        title="Product Engineer",
        department_id=20,
        department_code="RND",
        active=True,
        vacant=False,
    )
    values = dict(
        id=7,
        title="Train the sales team",
        department_id=10,
        department_code="SALES",
        project_id=None,
        project_code=None,
        active=True,
        accountable=(sales_head,),
        responsible=(engineer,),
        inactive_assigned=(),
        head_role=sales_head,
    )
    values.update(overrides)
    return raci.DutyFacts(**values)


def test_a_and_r_in_different_departments_without_a_flow_is_a_missing_handoff():
    [finding] = raci.handoff_findings(_handoff_duty(), frozenset())
    assert finding.rule == raci.MISSING_HANDOFF and finding.severity == raci.Severity.WARNING
    assert "SALES" in finding.message and "RND" in finding.message
    assert [role.title for role in finding.roles] == ["Head of Sales", "Product Engineer"]


def test_a_flow_in_either_direction_clears_the_missing_handoff():
    assert raci.handoff_findings(_handoff_duty(), frozenset({frozenset({20, 10})})) == []


def test_missing_handoff_ignores_same_department_inactive_duties_and_inactive_roles():
    duty = _handoff_duty()
    same = _handoff_duty(responsible=duty.accountable)
    assert raci.handoff_findings(same, frozenset()) == []
    assert raci.handoff_findings(_handoff_duty(active=False), frozenset()) == []
    retired = raci.RoleRef(
        id=3, title="Old", department_id=30, department_code="OLD", active=False, vacant=True
    )
    assert raci.handoff_findings(_handoff_duty(responsible=(retired,)), frozenset()) == []


def test_analyse_applies_the_handoff_rule_only_when_flows_are_known():
    duty = _handoff_duty()
    assert raci.MISSING_HANDOFF not in raci.summarise(raci.analyse([duty], [], []))
    assert raci.summarise(raci.analyse([duty], [], [], flow_pairs=frozenset())) == {
        raci.MISSING_HANDOFF: 1
    }
