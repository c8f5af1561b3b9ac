"""Excel exchange benchmark: a 20 000-row × 30-column town packet out and back in.

    .venv/bin/python bench/excel.py [--rows 20000] [--keep DIR]

Builds a database with one town holding N list entries, then measures in one run:
- export_s: packet_service.export_packet (query, 30 formatted columns, drop-downs, protected
  sheets, the very hidden sheet with every row's revisions and exported values);
- the bare writers, as baselines: xlsxwriter (constant memory) and openpyxl (write-only)
  writing the same 20 000 × 30 values with no formatting at all; export ratio = export_s over
  the fastest of them;
- import_s: packet_service.read_packet on the returned packet (a town edited 5 % of rows):
  pre-flight checks, parse, validate every cell, three-way diff against the database (a dry
  run: the preview, nothing written);
- openpyxl_ro_s / calamine_s: the bare parse of the same file's entry sheet by openpyxl
  read-only and by python-calamine;
- soffice_s: `soffice --headless --convert-to csv` of the same file, when LibreOffice is
  installed (import ratio = import_s over soffice_s; the goal is 0.6 or less); without LibreOffice the
  import is compared with calamine's bare parse instead, and the line says so;
- legacy: `legacy_import.run_import` (what `zzb import-legacy` runs: read, locate the table, map,
  validate, match, write in one transaction) of a plain N-row enterprise list into a fresh ledger
  with three towns, printed as `legacy: rows=N import_s=… cpu_s=…` (the goal is 3 s or less for 20 000 rows);
- rss_mb: peak resident memory of this process.

The last lines are the ones the issue's table reads:
    ratios: export_to_xlsxwriter=… import_to_soffice=… (or import_to_calamine=…)
    legacy: rows=20000 import_s=… cpu_s=…
The import and legacy lines also give the step's CPU seconds (time.process_time): compare those on a busy machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_database(path: Path, rows: int) -> tuple[object, int]:
    """An initialised database with one town, its 2024 list of `rows` entries (Core bulk inserts)."""
    from sqlalchemy import insert

    from desktop.models import Enterprise, GovernanceList, ListEntry, Target, Town, Year
    from desktop.models.enums import Category, EntryState, Method, TargetKind, TargetState
    from desktop.services import credit_code, setup_service
    from desktop.services.db import open_database
    from desktop.services.ledger import Ledger
    from desktop.services.search_text import search_text_for

    db = Ledger(open_database(path, backup_dir=path.parent))
    setup_service.initialize(db)
    rng = random.Random(7)
    states = [EntryState.IN_PROGRESS, EntryState.PLAN_FILED, EntryState.APPROVED, EntryState.REPORTED]
    with db.session() as s:
        s.info["skip_audit"] = True
        year_id = s.query(Year.id).filter(Year.year == 2024).scalar()
        town = Town(name="测试镇", sort_order=1)
        s.add(town)
        s.flush()
        lst = GovernanceList(town_id=town.id, year_id=year_id)
        s.add(lst)
        s.flush()
        targets = []
        for i in range(rows):
            body = f"91320{i:012d}"[:17]
            code = body + credit_code.check_char(body)
            name = f"测试{i:05d}金属制品有限公司"
            address = f"测试镇工业路{rng.randint(1, 999)}号"
            targets.append({
                "kind": TargetKind.ENTERPRISE.name, "name": name, "town_id": town.id,
                "category": Category.D_CLASS.name, "state": TargetState.IN_PROGRESS.name, "credit_code": code,
                "address": address, "legal_rep": rng.choice(["张伟", "王芳", "李强", "刘洋"]),
                "industry": rng.choice(["金属制品业", "纺织业", "化学原料制造业"]),
                "land_area_mu": Decimal(rng.randint(100, 9000)) / 100,
                "building_area_m2": Decimal(rng.randint(1000, 90000)) / 10,
                "land_cert_no": f"苏(2020)测试市不动产权第{i:07d}号", "owner": name, "note": "",
                "credit_code_override": False, "search_text": search_text_for(name, code, address),
            })
        s.execute(insert(Target.__table__), targets)
        ids = [t for (t,) in s.query(Target.id).order_by(Target.id)]
        entries = [{
            "list_id": lst.id, "target_id": tid, "planned_method": rng.choice([Method.LAND_BANKING, Method.REUSE]).name,
            "planned_area_mu": Decimal(rng.randint(100, 9000)) / 100, "state": rng.choice(states).name,
            "state_reason": "", "note": rng.choice(["", "已完成资信尽调", "正在谈判"]),
        } for tid in ids]
        s.execute(insert(ListEntry.__table__), entries)
    _ = Enterprise
    return db, town.id


def bare_values(db, town_id: int) -> list[list]:
    # Modules load once per program run, not per export or import: load them before timing anything.
    import python_calamine  # noqa: F401
    import xlsxwriter  # noqa: F401
    from openpyxl import load_workbook  # noqa: F401

    from desktop.services.excel import cell_values, packet_rows, packet_service, xlsx_reader  # noqa: F401

    with db.reader() as s:
        rows = packet_rows.read_db_rows(s, town_id, 2024, 11)
    keys = [c.key for c in packet_service.pc.entry_columns(True)]
    out = []
    for r in rows:
        line = []
        for k in keys:
            v = r.value(k)
            if hasattr(v, "label"):
                v = v.label
            elif isinstance(v, Decimal):
                v = float(v)
            elif isinstance(v, bool):
                v = "是" if v else "否"
            line.append(v)
        out.append(line)
    return out


def write_xlsxwriter(path: Path, values: list[list]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("清单条目")
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    for r, line in enumerate(values):
        for c, v in enumerate(line):
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(r, c, v)
            elif isinstance(v, dt.date):
                ws.write_datetime(r, c, v, date)
            else:
                ws.write_number(r, c, v)
    wb.close()


def write_openpyxl(path: Path, values: list[list]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("清单条目")
    for line in values:
        ws.append(line)
    wb.save(path)


def town_edits(path: Path, out: Path, share: float = 0.05) -> int:
    """What a town does: open the packet, change progress notes and addresses of some rows, save."""
    from openpyxl import load_workbook

    from desktop.services.excel import packet_columns as pc

    wb = load_workbook(path)
    ws = wb[pc.ENTRY_SHEET]
    head = {c.value: c.column for c in ws[pc.HEADER_ROW] if c.value}
    rng = random.Random(11)
    rows = list(range(pc.FIRST_DATA_ROW, ws.max_row + 1))
    picked = rng.sample(rows, int(len(rows) * share))
    for r in picked:
        ws.cell(r, head["进展情况"]).value = "本月完成拆除"
        ws.cell(r, head["地址"]).value = f"测试镇新路{r}号"
    wb.save(out)
    return len(picked)


LEGACY_TOWNS = ["城东街道", "城西街道", "北山镇"]


def write_legacy_list(path: Path, rows: int) -> None:
    """A plain enterprise list as 工信 sends it: a title row, a header, `rows` enterprises (10 columns)."""
    import xlsxwriter

    from desktop.services import credit_code

    rng = random.Random(5)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("名单")
    ws.write_string(0, 0, "全市低效企业名单")
    header = ["序号", "企业名称", "统一社会信用代码", "所属镇街", "占地面积（亩）", "建筑面积（㎡）", "法定代表人",
              "行业", "综合评价", "地址"]
    for j, h in enumerate(header):
        ws.write_string(1, j, h)
    for i in range(rows):
        town = LEGACY_TOWNS[i % len(LEGACY_TOWNS)]
        body = f"91320{i + 500000:012d}"[:17]
        line = [i + 1, f"{town[:2]}{i:05d}精密机械有限公司", body + credit_code.check_char(body), town,
                rng.randint(200, 9000) / 100, float(rng.randint(500, 20000)), rng.choice(["张建国", "王海", "李明"]),
                rng.choice(["通用设备制造业", "纺织业", "金属制品业"]), "D", f"{town}工业路{i}号"]
        for j, v in enumerate(line):
            (ws.write_number if isinstance(v, (int, float)) else ws.write_string)(i + 2, j, v)
    wb.close()


def legacy_import_s(work: Path, rows: int) -> float:
    """`zzb import-legacy` of an N-row list into a fresh ledger with the list's towns: seconds."""
    from desktop.services import setup_service
    from desktop.services.db import open_database
    from desktop.services.excel import legacy_import
    from desktop.services.ledger import as_ledger
    from desktop.services.towns import town_service

    db = as_ledger(open_database(work / "legacy.sqlite3", backup_dir=work))
    setup_service.initialize(db)
    for name in LEGACY_TOWNS:
        town_service.create_town(db, name)
    path = work / "legacy.xlsx"
    write_legacy_list(path, rows)
    outcome = None

    def run():
        nonlocal outcome
        outcome = legacy_import.run_import(db, path, kind="enterprises", year=2024)

    seconds = timed(run, "legacy")
    db.dispose()
    if not outcome.applied or outcome.summary.created != rows:
        raise SystemExit(f"legacy import did not create {rows} rows: {outcome.refused or outcome.summary}")
    return seconds


CPU: dict[str, float] = {}  # CPU seconds of this process for the timed steps that name themselves


def timed(fn, cpu: str | None = None) -> float:
    """Wall seconds of fn(); with `cpu`, its CPU seconds too (CPU[cpu]): on a shared machine the wall clock swings
    twofold while the CPU time of a single-threaded step holds."""
    t, c = time.perf_counter(), time.process_time()
    fn()
    if cpu:
        CPU[cpu] = time.process_time() - c
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--keep", default=None, help="keep the files in this folder")
    args = ap.parse_args()

    from desktop.services.excel import packet_service

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="zzb-bench-excel-"))
    work.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    db, town_id = build_database(work / "bench.sqlite3", args.rows)
    print(f"database: {args.rows} entries in {time.perf_counter() - t:.1f} s", flush=True)

    packet = work / "packet.xlsx"
    export_s = timed(lambda: packet_service.export_packet(db, town_id, 2024, 11, packet))
    values = bare_values(db, town_id)
    cols = len(values[0])
    xw_s = timed(lambda: write_xlsxwriter(work / "bare_xlsxwriter.xlsx", values))
    op_s = timed(lambda: write_openpyxl(work / "bare_openpyxl.xlsx", values))
    fastest = min(xw_s, op_s)
    print(f"export: {export_s:.2f} s; bare xlsxwriter {xw_s:.2f} s, bare openpyxl write-only {op_s:.2f} s; "
          f"ratio to fastest {export_s / fastest:.2f} ({args.rows} rows × {cols} columns, "
          f"{packet.stat().st_size / 1e6:.1f} MB)", flush=True)

    returned = work / "returned.xlsx"
    edited = town_edits(packet, returned)
    print(f"town edited {edited} rows (openpyxl load + save, not timed)", flush=True)

    preview = None

    def do_import():
        nonlocal preview
        preview = packet_service.read_packet(db, returned)

    import_s = timed(do_import, "import")
    print(f"import (dry run): {import_s:.2f} s ({CPU['import']:.2f} s CPU) — {preview.count('changed')} changed, "
          f"{preview.count('unchanged')} unchanged, {len(preview.problems)} problems", flush=True)

    def openpyxl_ro():
        from openpyxl import load_workbook

        wb = load_workbook(returned, read_only=True, data_only=True)
        n = sum(1 for _ in wb["清单条目"].iter_rows(values_only=True))
        wb.close()
        return n

    openpyxl_ro_s = timed(openpyxl_ro)

    def calamine():
        import python_calamine

        wb = python_calamine.CalamineWorkbook.from_path(str(returned))
        return len(wb.get_sheet_by_name("清单条目").to_python())

    calamine_s = timed(calamine)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    soffice_s = None
    if soffice:
        out = work / "csv"
        out.mkdir(exist_ok=True)
        profile = work / "lo-profile"
        cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "csv",
               "--outdir", str(out), str(returned)]
        subprocess.run(cmd, capture_output=True, timeout=600)  # first start initialises the profile
        soffice_s = timed(lambda: subprocess.run(cmd, capture_output=True, timeout=600, check=True))
    print(f"bare parse: openpyxl read-only {openpyxl_ro_s:.2f} s, calamine {calamine_s:.2f} s"
          + (f"; soffice convert {soffice_s:.2f} s; import ratio to soffice {import_s / soffice_s:.2f}"
             if soffice_s else "; soffice not installed (ratio to calamine's bare parse instead)"), flush=True)
    db.dispose()
    legacy_s = legacy_import_s(work, args.rows)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    soffice_text = f"{soffice_s:.2f}" if soffice_s is not None else "n/a"
    print(f"excel: export_s={export_s:.2f} import_s={import_s:.2f} openpyxl_ro_s={openpyxl_ro_s:.2f} "
          f"calamine_s={calamine_s:.2f} soffice_s={soffice_text} xlsxwriter_s={xw_s:.2f} rss_mb={rss_mb:.0f}")
    import_ratio = (f"import_to_soffice={import_s / soffice_s:.2f}" if soffice_s
                    else f"import_to_calamine={import_s / calamine_s:.2f}")
    print(f"ratios: export_to_xlsxwriter={export_s / xw_s:.2f} {import_ratio}")
    print(f"legacy: rows={args.rows} import_s={legacy_s:.2f} cpu_s={CPU['legacy']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
