"""Imports of a RACI matrix and of people, from CSV or XLSX.

Each import runs in three steps, kept apart so that a preview shows exactly what a
confirmation will do:

1. read: spreadsheets.read_table() turns bytes into a Table, or refuses the file;
2. plan: the table is checked against the database, loaded once into dicts (a constant
   number of queries whatever the file's size); the plan lists what would be created
   and changed, and every problem by row and column;
3. apply: only a plan without problems is written, in one transaction, in bulk.

Nothing is ever deleted: a cell, a person or a holding absent from the file is left
as it is. docs/import-export.md describes the formats.
"""

from .common import DEPARTMENT_HEADERS, LONG, PROJECT_HEADERS, WIDE, MayImport, Problem
from .people import (
    PEOPLE_COLUMNS,
    PEOPLE_OPTIONAL_COLUMNS,
    PeoplePlan,
    PersonEntry,
    apply_people_plan,
    department_code_for,
    people_import,
    plan_people,
    username_for,
)
from .raci_import import apply_raci_plan, plan_raci, raci_import
from .raci_plan import CellChange, NewDuty, RaciPlan
from .raci_reader import detect_shape

__all__ = [
    "DEPARTMENT_HEADERS",
    "LONG",
    "PEOPLE_COLUMNS",
    "PEOPLE_OPTIONAL_COLUMNS",
    "PROJECT_HEADERS",
    "WIDE",
    "CellChange",
    "MayImport",
    "NewDuty",
    "PeoplePlan",
    "PersonEntry",
    "Problem",
    "RaciPlan",
    "apply_people_plan",
    "apply_raci_plan",
    "department_code_for",
    "detect_shape",
    "people_import",
    "plan_people",
    "plan_raci",
    "raci_import",
    "username_for",
]
