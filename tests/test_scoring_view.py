"""考核评分 page (issue 11 point 2): a session carried through in the window — new session with its criteria
and weights, opened (weights frozen), scores typed in the grid with a refused value kept visible, totals and
ranks (并列) live as a score is typed, undo, Ctrl+F, confirmation refused for the account that entered and
accepted for another, the locked grid, unlocking with a reason, the Excel template out and back, the score
sheet printed. Real SQLite, the real scoring services."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from conftest import type_text, wait_idle
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox
from sqlalchemy import select
from test_report_service import make_town

from desktop.models import AuditLog
from desktop.models.enums import Role, ScoringSubject
from desktop.services.documents import pdf_output
from desktop.services.scoring import scoring_service as svc
from desktop.views.scoring.scoring_dialogs import CriteriaDialog, NewSessionDialog, UnlockDialog
from desktop.views.scoring.scoring_view import ScoringPage

D = Decimal
WORK, PRESS = "组织推进与工作成效", "宣传报道与典型案例"  # the towns' entered criteria (full points 15 and 10)
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def as_account(ctx, user: str, role: Role = Role.CLERK) -> None:
    ctx.ledger = dataclasses.replace(ctx.ledger, user=user, role=role)


@pytest.fixture
def towns(db):
    return {n: make_town(db, n) for n in ("甲镇", "乙镇", "丙镇")}


@pytest.fixture
def page(qtbot, ctx, towns, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    as_account(ctx, "clerk")
    p = ScoringPage(ctx)
    qtbot.addWidget(p)
    p.resize(1366, 768)
    p.show()
    p.activate()
    wait_idle(qtbot, ctx)
    return p


def new_session(qtbot, ctx, page, kind=ScoringSubject.TOWN) -> CriteriaDialog:
    page.new_session()
    dialog = page.dialog
    assert isinstance(dialog, NewSessionDialog)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(kind))
    dialog.submit()
    wait_idle(qtbot, ctx)
    wait_idle(qtbot, ctx)
    assert isinstance(page.dialog, CriteriaDialog)
    return page.dialog


def type_score(qtbot, page, subject: str, criterion: str, text: str, *, enter: bool = True) -> QLineEdit:
    index = page.edit_cell(subject, criterion)
    page.table.setCurrentIndex(page.model.index(index.row(), index.column()))
    page.table.edit(page.model.index(index.row(), index.column()))
    editor = page.table.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    type_text(qtbot, editor, text)
    if enter:
        qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next turn of the event loop
        qtbot.waitUntil(lambda: page.table.state() != page.table.State.EditingState)
    return editor


def stored(db, session_id: int, subject_id: int, criterion: str):
    g = svc.grid(db, session_id)
    return g.points.get((subject_id, g.criterion(criterion).id))


def opened_session(qtbot, ctx, page) -> int:
    dialog = new_session(qtbot, ctx, page)
    dialog.reject()
    page.open_session()
    wait_idle(qtbot, ctx)
    return page.info.id


def test_a_new_session_shows_its_criteria_editable_until_opened_then_frozen(qtbot, ctx, db, page):
    assert "还没有考核评分" in page.state_label.text() and not page.open_button.isEnabled()
    dialog = new_session(qtbot, ctx, page)
    names = [line[0].text() for line in dialog.lines]
    assert names[:5] == ["年度任务完成率", "连片整治园区启动", "月度按时报送", "核实通过率", "连片整治面积占比"]
    assert dialog.ok_button.isVisible() and dialog.lines[0][1].isEnabled()
    press = next(line for line in dialog.lines if line[0].text() == PRESS)
    press[1].setText("20")
    dialog.submit()
    wait_idle(qtbot, ctx)
    assert page.dialog is None and page.info.state == svc.DRAFT
    header = page.model.headerData(page.model.column_of(PRESS), Qt.Orientation.Horizontal)
    assert "权重 20" in header and "满分 10" in header
    assert page.open_button.isEnabled()

    page.open_button.click()
    wait_idle(qtbot, ctx)
    assert page.info.state == svc.OPEN and not page.open_button.isEnabled()
    page.edit_criteria()
    wait_idle(qtbot, ctx)
    frozen = page.dialog
    assert not frozen.ok_button.isVisible() and not frozen.lines[0][1].isEnabled()
    completion = page.model.column_of("年度任务完成率")
    assert not page.model.flags(page.model.index(0, completion)) & Qt.ItemFlag.ItemIsEditable
    assert page.model.flags(page.model.index(0, page.model.column_of(WORK))) & Qt.ItemFlag.ItemIsEditable
    assert "未下达目标面积" in page.model.index(0, completion).data(Qt.ItemDataRole.ToolTipRole)


def test_scores_typed_with_a_tie_rank_together_live_and_the_enterer_cannot_confirm(qtbot, ctx, db, page, towns,
                                                                                     qtmodeltester):
    sid = opened_session(qtbot, ctx, page)
    for town, work, press in (("甲镇", "12", "8"), ("乙镇", "12", "8"), ("丙镇", "10", "5")):
        type_score(qtbot, page, town, WORK, work)
        wait_idle(qtbot, ctx)
        type_score(qtbot, page, town, PRESS, press)
        wait_idle(qtbot, ctx)
    assert stored(db, sid, towns["乙镇"], PRESS) == D(8)
    ranks = {t: page.model.result_of(t).rank_label for t in towns}
    assert ranks == {"甲镇": "并列第1", "乙镇": "并列第1", "丙镇": "第3"}
    rank_col = page.model.rank_column()
    row = page.model.row_of_subject(towns["甲镇"])
    assert page.model.index(row, rank_col).data() == "并列第1"
    qtmodeltester.check(page.model)

    # live: while 丙镇's score is being typed, its total and rank follow, nothing written yet
    before = page.model.result_of("丙镇").total
    editor = type_score(qtbot, page, "丙镇", PRESS, "10", enter=False)
    assert page.model.result_of("丙镇").total > before
    assert stored(db, sid, towns["丙镇"], PRESS) == D(5)
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert page.model.result_of("丙镇").total == before

    # a refused score stays in its cell with the service's sentence; nothing is written
    type_score(qtbot, page, "丙镇", WORK, "20")
    wait_idle(qtbot, ctx)
    cell = page.model.index(page.model.row_of_subject(towns["丙镇"]), page.model.column_of(WORK))
    assert cell.data() == "20" and "应在 0 至 15 之间" in cell.data(Qt.ItemDataRole.ToolTipRole)
    assert page.edit_error.isVisible() and "丙镇" in page.edit_error.text()
    assert stored(db, sid, towns["丙镇"], WORK) == D(10)

    # undo of a typed score writes the one before it back
    type_score(qtbot, page, "丙镇", WORK, "14")
    wait_idle(qtbot, ctx)
    assert stored(db, sid, towns["丙镇"], WORK) == D(14) and cell.data() == "14"
    page.undo.undo_button.click()
    wait_idle(qtbot, ctx)
    assert stored(db, sid, towns["丙镇"], WORK) == D(10)
    assert page.model.index(page.model.row_of_subject(towns["丙镇"]), page.model.column_of(WORK)).data() == "10"

    # sorting by total, best first; Ctrl+F finds a subject
    page.table.sortByColumn(page.model.total_column(), Qt.SortOrder.DescendingOrder)
    assert [s.name for s in page.model.subjects][2] == "丙镇"
    page.activateWindow()  # the dialogs closed above left no active window
    qtbot.waitUntil(page.isActiveWindow)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search.hasFocus()
    type_text(qtbot, page.search, "丙")
    assert [s.name for s in page.model.subjects] == ["丙镇"]
    page.search.clear()

    # the account that entered the scores may not confirm: the button says why
    assert not page.confirm_button.isEnabled()
    assert svc.SELF_ENTERED in page.confirm_button.toolTip() and "另一账户" in page.confirm_button.toolTip()

    as_account(ctx, "clerk2")
    page.refresh()
    wait_idle(qtbot, ctx)
    assert page.confirm_button.isEnabled()
    page.confirm_button.click()
    wait_idle(qtbot, ctx)
    assert page.info.state == svc.CONFIRMED and page.info.confirmed_by == "clerk2"
    assert not any(page.model.flags(page.model.index(r, c)) & Qt.ItemFlag.ItemIsEditable
                   for r in range(page.model.rowCount()) for c in range(page.model.columnCount()))
    assert not page.import_button.isEnabled() and page.unlock_button.isEnabled()
    assert "已锁定" in page.state_label.text()
    with db.reader() as s:
        assert s.scalar(select(AuditLog.user).where(AuditLog.action == "确认评分")) == "clerk2"


def test_unlocking_asks_for_a_reason_which_the_service_logs(qtbot, ctx, db, page, towns):
    sid = opened_session(qtbot, ctx, page)
    svc.set_scores(ctx.ledger, sid, {(t, svc.grid(db, sid).criterion(c).id): "5" for t in towns.values()
                                     for c in (WORK, PRESS)})
    svc.confirm(dataclasses.replace(ctx.ledger, user="clerk2"), sid)
    page.refresh()
    wait_idle(qtbot, ctx)
    page.unlock_button.click()
    dialog = page.dialog
    assert isinstance(dialog, UnlockDialog)
    dialog.submit()
    wait_idle(qtbot, ctx)
    assert dialog.errors["reason"].isVisible() and "原因" in dialog.errors["reason"].text()
    assert svc.session_info(db, sid).state == svc.CONFIRMED
    dialog.reason_edit.setPlainText("乙镇宣传得分核对有误")
    dialog.submit()
    wait_idle(qtbot, ctx)
    assert page.info.state == svc.OPEN and page.dialog is None
    with db.reader() as s:
        user, after = s.execute(select(AuditLog.user, AuditLog.after).where(AuditLog.action == "解锁评分")).one()
    assert user == "clerk" and "乙镇宣传得分核对有误" in str(after)


def test_the_template_goes_out_and_a_bad_file_comes_back_named_and_unwritten(qtbot, ctx, db, page, towns,
                                                                           tmp_path, monkeypatch):
    sid = opened_session(qtbot, ctx, page)
    path = tmp_path / "评分表.xlsx"
    page.export_template(path)
    wait_idle(qtbot, ctx)
    assert path.exists() and "已导出" in page.status.text()
    wb = load_workbook(path)
    ws = wb["评分"]
    assert [c.value for c in ws[1]] == ["评分对象", WORK, PRESS]
    for row, (work, press) in zip(range(2, 5), (("13", 9), (99, 9), (11, 7))):
        ws.cell(row, 2).value, ws.cell(row, 3).value = work, press
    wb.save(path)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    page.import_file(path)
    wait_idle(qtbot, ctx)
    assert "评分" in warnings[0] and "第3行" in warnings[0] and "B" in warnings[0] and "未导入" in warnings[0]
    assert stored(db, sid, towns["甲镇"], WORK) is None and "未导入" in page.status.text()

    ws.cell(3, 2).value = 12
    wb.save(path)
    page.import_file(path)
    wait_idle(qtbot, ctx)
    assert stored(db, sid, towns["乙镇"], WORK) == D(12) and "3 个评分对象" in page.status.text()
    assert page.model.result_of("甲镇").rank_label == "第1"


def test_the_score_sheet_prints_through_the_print_kit(qtbot, ctx, db, page, towns, tmp_path):
    sid = opened_session(qtbot, ctx, page)
    action = page.print_actions["scoring"]
    assert action.fn is pdf_output.score_sheet_pdf and page.print_button.isEnabled()
    action.save_pdf_to(tmp_path / "评分表.pdf")
    wait_idle(qtbot, ctx, timeout=60000)
    assert (tmp_path / "评分表.pdf").read_bytes()[:5] == b"%PDF-"
    with db.reader() as s:
        assert s.scalar(select(AuditLog.user).where(AuditLog.action == "print")) == "clerk"
    assert sid == page.session_id()
