"""The CLI contract of export-packet / import-packet: output, --json object, exit codes 0/1/2."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from desktop.cli import main
from desktop.models import ListEntry, PacketImport, Town
from desktop.services.excel import packet_columns as pc

JSON_KEYS = {"rows_read", "created", "updated", "unchanged", "rejected", "conflicts", "area_mu", "errors"}


pytestmark = pytest.mark.usefixtures("as_clerk")  # importing and exporting packets is the clerk's work


@pytest.fixture
def town(demo_db):
    with demo_db.reader() as s:
        return s.scalar(select(Town.name).order_by(Town.id).limit(1))


def _export(cli_demo_db_path, town, out, capsys, *extra) -> str:
    code = main(["--db", str(cli_demo_db_path), "export-packet", "--town", town, "--year", "2024", *extra, "-o", str(out)])
    assert code == 0
    return capsys.readouterr().out


def _edit_progress(path, text="推进中") -> int:
    wb = load_workbook(path)
    ws = wb[pc.ENTRY_SHEET]
    head = {c.value: c.column for c in ws[pc.HEADER_ROW] if c.value}
    ws.cell(pc.FIRST_DATA_ROW, head["进展情况"]).value = text
    entry_id = int(ws.cell(pc.FIRST_DATA_ROW, head["条目编号"]).value)
    wb.save(path)
    return entry_id


def test_export_then_import_with_json_prints_one_object_and_exits_0(demo_db, cli_demo_db_path, town, tmp_path, capsys):
    out = tmp_path / "p.xlsx"
    assert "已导出数据包" in _export(cli_demo_db_path, town, out, capsys)
    entry_id = _edit_progress(out)
    assert main(["--db", str(cli_demo_db_path), "import-packet", str(out), "--dry-run", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert JSON_KEYS <= set(data) and data["updated"] == 1 and data["errors"] == [] and data["dry_run"]
    with demo_db.reader() as s:
        assert s.get(ListEntry, entry_id).note != "推进中"
    assert main(["--db", str(cli_demo_db_path), "import-packet", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["applied"] and data["updated"] == 1 and data["rows_read"] > 1
    with demo_db.reader() as s:
        assert s.get(ListEntry, entry_id).note == "推进中"
    # The bulk write's records are on the keyed chain and the tip moved with them: the auditor's verify passes.
    assert main(["--user", "auditor", "--db", str(cli_demo_db_path), "audit", "verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    # The same file again: refused, exit 1, still one JSON object naming the first import.
    assert main(["--db", str(cli_demo_db_path), "import-packet", str(out), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert "导入过" in data["errors"][0]["message"] and not data["applied"]


def test_a_packet_with_errors_is_refused_exit_1_and_the_receipt_is_written(demo_db, cli_demo_db_path, town, tmp_path,
                                                                          capsys):
    out = tmp_path / "p.xlsx"
    _export(cli_demo_db_path, town, out, capsys, "--month", "11")
    wb = load_workbook(out)
    ws = wb[pc.ENTRY_SHEET]
    head = {c.value: c.column for c in ws[pc.HEADER_ROW] if c.value}
    ws.cell(pc.FIRST_DATA_ROW, head["占地面积（亩）"]).value = "-5"
    wb.save(out)
    receipt = tmp_path / "r.xlsx"
    code = main(["--db", str(cli_demo_db_path), "import-packet", str(out), "--json", "--errors-out", str(receipt)])
    assert code == 1
    data = json.loads(capsys.readouterr().out)
    err = data["errors"][0]
    assert err["sheet"] == pc.ENTRY_SHEET and err["row"] == pc.FIRST_DATA_ROW and err["column"] == "V"
    assert receipt.exists() and load_workbook(receipt).sheetnames[0] == "错误汇总"
    with demo_db.reader() as s:
        assert s.scalar(select(PacketImport.id).where(PacketImport.direction == "import")) is None


def test_a_broken_file_gets_a_chinese_message_and_exit_1_without_traceback(cli_demo_db_path, tmp_path, capsys):
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    assert main(["--db", str(cli_demo_db_path), "import-packet", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "坏.xlsx" in err and "Traceback" not in err


def test_unknown_town_exits_1_and_a_missing_option_exits_2(cli_demo_db_path, tmp_path, capsys):
    assert main(["--db", str(cli_demo_db_path), "export-packet", "--town", "不存在镇", "--year", "2024",
                 "-o", str(tmp_path / "x.xlsx")]) == 1
    assert "不存在镇" in capsys.readouterr().err
    assert main(["--db", str(cli_demo_db_path), "export-packet", "--year", "2024", "-o", str(tmp_path / "x.xlsx")]) == 2
    assert "--town" in capsys.readouterr().err
