"""Imports are bounded before parsing (issue 12, item 3): hostile workbooks are refused
before openpyxl reads them, with bounded memory, and nothing is written. (How fast: the
refusal reads the archive's directory and counts rows in a stream, well under two
seconds on these machines; timings stay out of tests.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from responsibilities.models import Assignment, Duty
from responsibilities.spreadsheets.sheets import SpreadsheetError, estimate_rows, read_table

from . import hostile_xlsx

ROOT = Path(__file__).resolve().parents[2]

# Runs in a fresh interpreter, so that its peak memory is the read's alone.
_MEASURE = """
import json, resource, sys
import django
django.setup()
from openpyxl.reader.excel import ExcelReader
from responsibilities.spreadsheets.sheets import SpreadsheetError, read_path
parsed = []
_read = ExcelReader.read
def _counting_read(self, *args, **kwargs):
    parsed.append(True)
    return _read(self, *args, **kwargs)
ExcelReader.read = _counting_read
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    read_path(sys.argv[1])
    message = None
except SpreadsheetError as error:
    message = error.message
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"parsed": bool(parsed), "rss_kb": after - before, "message": message}))
"""


@pytest.fixture(scope="session")
def hostile_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    return {
        "huge cell": hostile_xlsx.huge_cell(folder / "huge-cell.xlsx"),
        "3 million rows": hostile_xlsx.tiny_rows(folder / "three-million.xlsx", 3_000_000),
        "100,001 rows": hostile_xlsx.many_rows(folder / "rows.xlsx", 100_002),
        "100,001 rows, no dimension": hostile_xlsx.many_rows(
            folder / "rows-nodim.xlsx", 100_002, dimension=False
        ),
    }


def _measure(path: Path) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "orgmap.settings", "DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "name", ["huge cell", "3 million rows", "100,001 rows", "100,001 rows, no dimension"]
)
def test_hostile_workbook_is_refused_fast_with_bounded_memory(hostile_files, name):
    path = hostile_files[name]
    assert path.stat().st_size < 2 * 1024 * 1024  # small files, all of them
    result = _measure(path)
    assert result["message"], "the file was read"
    assert not result["parsed"], result  # refused before openpyxl read a sheet
    assert result["rss_kb"] < 200 * 1024, result  # ru_maxrss is in KiB on Linux


def test_the_refusals_say_why(hostile_files):
    with pytest.raises(SpreadsheetError, match="unpacks to"):
        read_table(hostile_files["huge cell"].read_bytes(), "huge.xlsx")
    with pytest.raises(SpreadsheetError, match="more than 100,000 rows"):
        read_table(hostile_files["100,001 rows"].read_bytes(), "rows.xlsx")
    with pytest.raises(SpreadsheetError, match="more than 100,000 rows"):
        read_table(hostile_files["100,001 rows, no dimension"].read_bytes(), "rows.xlsx")


@pytest.mark.django_db
def test_import_command_refuses_hostile_files_and_writes_nothing(hostile_files):
    for path in hostile_files.values():
        with pytest.raises(CommandError, match=path.name):
            call_command("import_raci", str(path))
    assert not Duty.objects.exists() and not Assignment.objects.exists()


def test_row_estimate_is_cheap_and_counts_rows(hostile_files):
    assert estimate_rows(hostile_files["100,001 rows"].read_bytes()) == 100_002
    assert estimate_rows(b"a,b\n1,2\n3,4\n") == 4  # an upper bound for CSV


def test_a_cell_longer_than_excel_allows_is_refused():
    with pytest.raises(SpreadsheetError, match="longer than"):
        read_table(b"department,duty\nSALES," + b"x" * 40_000 + b"\n")
