"""Every refused file of the corpus, through both import commands: a Chinese message, exit 1, no traceback,
nothing written; the good controls of the corpus are not refused as bad files."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

import excel_corpus
from desktop.cli import main
from desktop.models import AuditLog, PacketImport


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return excel_corpus.build(tmp_path_factory.mktemp("corpus"))


def _audit_count(db) -> int:
    """Audit records other than the logins of the commands (every login is recorded)."""
    with db.reader() as s:
        return s.scalar(select(func.count(AuditLog.id)).where(AuditLog.action != "login"))


pytestmark = pytest.mark.usefixtures("as_clerk")  # importing and exporting packets is the clerk's work


@pytest.mark.parametrize("name", sorted(excel_corpus.EXPECTED))
def test_a_refused_file_exits_1_with_its_chinese_reason(name, corpus, db, cli_db_path, capsys):
    before = _audit_count(db)
    for command in (["import-packet"], ["import-legacy", "--year", "2024"]):
        code = main(["--db", str(cli_db_path), *command, str(corpus[name])])
        out = capsys.readouterr()
        assert code == 1, (command, out)
        assert excel_corpus.EXPECTED[name] in out.err and "Traceback" not in out.err + out.out
    code = main(["--db", str(cli_db_path), "import-legacy", str(corpus[name]), "--year", "2024", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and excel_corpus.EXPECTED[name] in data["errors"][0]["message"]
    assert _audit_count(db) == before
    with db.reader() as s:
        assert s.scalar(select(func.count(PacketImport.id))) == 0


def test_a_good_workbook_that_is_not_a_packet_is_refused_as_such(corpus, cli_db_path, capsys):
    good = next(p for n, p in corpus.items() if n not in excel_corpus.EXPECTED and n.endswith(".xlsx"))
    assert main(["--db", str(cli_db_path), "import-packet", str(good)]) == 1
    assert "不是本程序导出的数据包" in capsys.readouterr().err
