"""kill -9 at a random moment of a packet import, a migration and a backup leaves the database (and the
backup file) as before or as after, never between: 20 real processes killed for each (tests/kill_runner.py)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from desktop.models import GovernanceList, ListEntry, Town
from desktop.services import attachment_service, backup_archive
from desktop.services.db import head_revision
from desktop.services.excel import packet_columns as pc
from desktop.services.excel import packet_service

RUNS = 20
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
MARK = "断电测试"

pytestmark = pytest.mark.killsafety


def _run(mode: str, work: Path) -> dict:
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "kill_runner.py"), mode, str(work), str(RUNS), "9"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["reference_ok"], (Path(report["reference"]) / "error.txt").read_text()
    for run in report["runs"]:
        assert run["killed"] or run["exit"] == 0, (Path(run["folder"]) / "error.txt").read_text()
    return report


def _query(path: Path, sql: str):
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _state(path: Path) -> dict:
    """What 'before' and 'after' are told apart by: the revision, every table's row count, the marked notes.
    Not SQLite's planner statistics (sqlite_stat*), which a connection gathers as it closes (PRAGMA optimize),
    so a process killed after its import committed but before closing has the import and older statistics."""
    assert _query(path, "PRAGMA integrity_check") == [("ok",)]
    tables = [r[0] for r in _query(path, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                         "AND name NOT LIKE 'sqlite_stat%' ORDER BY name")]
    state = {t: _query(path, f'SELECT count(*) FROM "{t}"')[0][0] for t in tables}
    state["revision"] = _query(path, "SELECT version_num FROM alembic_version")[0][0]
    if "list_entry" in tables:
        state["marked"] = _query(path, f"SELECT count(*) FROM list_entry WHERE note = '{MARK}'")[0][0]
    return state


def _before_or_after(report: dict, work: Path) -> list[str]:
    before = _state(work / "source.sqlite3")
    after = _state(Path(report["reference"]) / "ledger.sqlite3")
    assert before != after
    seen = []
    for run in report["runs"]:
        now = _state(Path(run["folder"]) / "ledger.sqlite3")
        assert now in (before, after), f"between before and after: {run}"
        seen.append("before" if now == before else "after")
    return seen


def test_a_killed_packet_import_leaves_the_ledger_before_or_after(demo_db, demo_db_path, tmp_path):
    with demo_db.reader() as s:
        town_id = s.scalar(select(Town.id).join(GovernanceList).join(ListEntry).group_by(Town.id)
                           .order_by(func.count(ListEntry.id).desc()).limit(1))
    (tmp_path / "work").mkdir()
    packet = packet_service.export_packet(demo_db, town_id, 2024, None, tmp_path / "work" / "packet.xlsx").path
    wb = load_workbook(packet)
    ws = wb[pc.ENTRY_SHEET]
    column = next(c.column for c in ws[pc.HEADER_ROW] if c.value and c.value.rstrip("*") == "进展情况")
    for row in range(pc.FIRST_DATA_ROW, ws.max_row + 1):
        if ws.cell(row, 1).value is not None:
            ws.cell(row, column).value = MARK
    wb.save(packet)
    demo_db.dispose()
    shutil.copyfile(demo_db_path, tmp_path / "work" / "source.sqlite3")
    report = _run("import", tmp_path / "work")
    seen = _before_or_after(report, tmp_path / "work")
    assert "before" in seen  # some kills did land before the import committed


def test_a_killed_migration_leaves_the_old_or_the_upgraded_database(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    shutil.copyfile(FIXTURES / "ledger-0001.sqlite3", work / "source.sqlite3")
    report = _run("migration", work)
    seen = _before_or_after(report, work)
    assert "before" in seen
    assert _state(Path(report["reference"]) / "ledger.sqlite3")["revision"] == head_revision()
    for run in report["runs"]:
        for copy in (Path(run["folder"]) / "bk").glob("*.sqlite3"):  # the backup taken before upgrading
            assert _state(copy)["revision"] == "0001"


def test_a_killed_backup_leaves_no_backup_or_a_whole_one_and_the_source_untouched(db, db_path, tmp_path):
    for n in range(6):
        scan = tmp_path / f"scan{n}.pdf"
        scan.write_bytes(bytes([n]) * 300_000)
        attachment_service.attach(db, "agreement", n + 1, scan)
    db.dispose()
    work = tmp_path / "work"
    work.mkdir()
    shutil.copyfile(db_path, work / "source.sqlite3")
    source = (work / "source.sqlite3").read_bytes()
    report = _run("backup", work)
    whole = 0
    for run in [{"folder": report["reference"]}, *report["runs"]]:
        folder = Path(run["folder"])
        assert (folder / "ledger.sqlite3").read_bytes() == source
        out = folder / "out.zzbak"
        if out.exists():
            manifest = backup_archive.read_manifest(out)
            assert len(manifest.attachments) == 6
            whole += 1
        assert {p.name for p in folder.iterdir()} <= {"ledger.sqlite3", "out.zzbak", "out.zzbak.part"}
    assert 0 < whole < RUNS + 1  # some kills came before the end, the reference finished
