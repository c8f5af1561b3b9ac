"""治理对象 register page: model, search as you type, filters, SQL sorting, remembered columns, dialog,
delete with undo, edit and the detail pane's history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import wait_idle
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from test_target_service import CODE_CASTING, YEAR, build_ledger

from desktop.models.enums import Category, EvaluationClass, TargetKind, TargetState
from desktop.services.register import target_service
from desktop.services.register.target_service import RegisterFilter
from desktop.views.register.register_detail import EntriesModel, HistoryModel
from desktop.views.register.register_table_model import RegisterTableModel
from desktop.views.register.register_view import RegisterPage

# The offscreen platform cannot propagate size hints of shown windows; harmless, not our warning.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def ledger(db):
    return build_ledger(db)


@pytest.fixture
def page(qtbot, ctx, ledger):
    p = RegisterPage(ctx)
    qtbot.addWidget(p)
    p.resize(1200, 760)
    p.show()
    p.activate()
    wait_idle(qtbot, ctx)
    return p


def shown(page) -> list[str]:
    m = page.model
    return [m.row_data(r).name for r in range(m.rowCount())]


def type_text(widget, text: str) -> None:
    """Type any characters (QTest's keyClicks knows ASCII only): a key press and release per character."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))


def select_name(qtbot, ctx, page, name: str) -> int:
    row = shown(page).index(name)
    page.table.setFocus()
    page.table.selectRow(row)
    wait_idle(qtbot, ctx)
    return page.model.id_at(row)


# Model ----------------------------------------------------------------------------------------------

def test_register_model_passes_modeltester_with_rows(qtmodeltester, db, ledger):
    model = RegisterTableModel(db, YEAR)
    model.set_ids(target_service.search_ids(db, RegisterFilter(), year=YEAR))
    qtmodeltester.check(model)
    assert model.rowCount() == 5
    col = model.column_of("land_area_mu")
    row = model.row_of(ledger.ids["casting"])
    assert model.data(model.index(row, col)) == "12.50"
    assert model.data(model.index(row, col), Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert model.data(model.index(row, model.column_of("category"))) == "D类低效"
    assert model.data(model.index(row, model.column_of("grade"))) == "D"
    assert model.flags(model.index(row, 0)) == (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                                               | Qt.ItemFlag.ItemNeverHasChildren)  # not editable
    assert model.flags(model.index(99, 0)) == Qt.ItemFlag.NoItemFlags


def test_what_a_delegate_asks_in_one_call_is_what_data_answers_role_by_role(db, ledger):
    """multiData (one call per drawn cell) gives data()'s values for every role: texts, alignment, the muted
    colour of a withdrawn object, the id, a deleted row's marker, and nothing for roles not served."""
    from PySide6.QtCore import QModelRoleData, QModelRoleDataSpan

    values = target_service.get(db, ledger.ids["casting"], year=YEAR).values
    values.state = TargetState.WITHDRAWN
    target_service.update(db, ledger.ids["casting"], values, year=YEAR)
    model = RegisterTableModel(db, YEAR)
    model.set_ids([*target_service.search_ids(db, RegisterFilter(), year=YEAR), 987654])
    roles = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.FontRole,
             Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole,
             Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.UserRole]
    muted = 0
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            index = model.index(r, c)
            for role in roles:
                item = QModelRoleData(role)
                model.multiData(index, QModelRoleDataSpan(item))
                assert item.data() == model.data(index, role), (r, c, role)
            item = QModelRoleData(Qt.ItemDataRole.ForegroundRole)
            model.multiData(index, QModelRoleDataSpan(item))
            muted += item.data() is not None
    withdrawn = [r for r in range(model.rowCount() - 1) if model.row_data(r).state == TargetState.WITHDRAWN]
    assert model.row_of(ledger.ids["casting"]) in withdrawn
    assert muted == len(withdrawn) * model.columnCount()  # every cell of a withdrawn object, no other
    last = model.index(model.rowCount() - 1, 0)
    item = QModelRoleData(Qt.ItemDataRole.DisplayRole)
    model.multiData(last, QModelRoleDataSpan(item))
    assert item.data() == "（已删除）"


def test_the_table_draws_the_same_with_the_delegates_roles_set_by_place(qtbot, ctx, ledger, page, monkeypatch):
    """multiData sets the delegate's three served roles by place: the drawn table (a withdrawn object in
    grey, a deleted row's marker, right-aligned areas) is pixel for pixel what asking role by role draws."""
    from desktop.views.register import register_table_model

    values = target_service.get(ctx.db, ledger.ids["casting"], year=YEAR).values
    values.state = TargetState.WITHDRAWN
    target_service.update(ctx.db, ledger.ids["casting"], values, year=YEAR)
    page.model.invalidate()
    page.model.set_ids([*page.model.ids(), 987654])
    by_place = page.table.grab().toImage()
    monkeypatch.setattr(register_table_model, "_DELEGATE_ROLES", ())  # no span has no roles: role by role
    page.table.viewport().update()
    by_role = page.table.grab().toImage()
    assert by_place == by_role
    monkeypatch.undo()
    page.model.set_ids(page.model.ids()[:-1])
    assert page.table.grab().toImage() != by_role  # the deleted row's marker was drawn: the images can differ


def test_each_drawn_cell_shows_its_own_text_colour_and_alignment(qtbot, db, ledger):
    """Qt 6's delegate keeps one role array from cell to cell: what it reads for each cell, in drawing order,
    is that cell's own text, grey (a withdrawn object only) and alignment, never the cell drawn before
    (a withdrawn row's grey once went on into every later row, a deleted row's marker into its every cell)."""
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

    values = target_service.get(db, ledger.ids["casting"], year=YEAR).values
    values.state = TargetState.WITHDRAWN
    target_service.update(db, ledger.ids["casting"], values, year=YEAR)
    model = RegisterTableModel(db, YEAR)
    ids = target_service.search_ids(db, RegisterFilter(), year=YEAR)
    model.set_ids([*ids, 987654, *ids])  # a withdrawn and a deleted row, then every row again
    delegate = QStyledItemDelegate()
    normal = QPalette().color(QPalette.ColorRole.Text)  # a blank option's, which the delegate starts from
    grey = 0
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            index = model.index(r, c)
            option = QStyleOptionViewItem()
            delegate.initStyleOption(option, index)
            assert option.text == (model.data(index) or ""), (r, c)
            assert option.displayAlignment == model.data(index, Qt.ItemDataRole.TextAlignmentRole), (r, c)
            withdrawn = model.row_data(r) is not None and model.row_data(r).state == TargetState.WITHDRAWN
            colour = option.palette.color(QPalette.ColorRole.Text)
            assert colour == (model.data(index, Qt.ItemDataRole.ForegroundRole) if withdrawn else normal), (r, c)
            grey += withdrawn
    withdrawn_ids = [i for i in ids if target_service.get(db, i, year=YEAR).values.state == TargetState.WITHDRAWN]
    assert ledger.ids["casting"] in withdrawn_ids
    assert grey == 2 * len(withdrawn_ids) * model.columnCount()  # each withdrawn object, drawn twice
    assert model.data(model.index(len(ids), 0)) == "（已删除）" and model.data(model.index(len(ids), 1)) is None


def test_register_model_fetches_rows_in_blocks_only_when_asked(db, ledger):
    model = RegisterTableModel(db, YEAR)
    model.set_ids(target_service.search_ids(db, RegisterFilter(), year=YEAR))
    assert model.fetches == 0
    for r in range(model.rowCount()):
        model.data(model.index(r, 0))
    assert model.fetches == 1  # one block of up to 200 ids for all five rows


def test_detail_tables_pass_modeltester(qtmodeltester, db, ledger):
    from test_target_service import _put_on_list

    _put_on_list(db, ledger.towns["东港镇"], ledger.ids["casting"])
    detail = target_service.get(db, ledger.ids["casting"], year=YEAR)
    model = EntriesModel()
    model.set_rows(detail.entries)
    qtmodeltester.check(model)
    assert model.data(model.index(0, 0)) == "2024"
    assert model.data(model.index(0, model.column("planned_area_mu"))) == "12.50"
    history = HistoryModel()
    history.set_rows(detail.history)
    qtmodeltester.check(history)
    assert history.data(history.index(history.rowCount() - 1, history.column("action"))) == "新增"


# Search and filters -------------------------------------------------------------------------------

def test_page_lists_every_target_with_count(page):
    assert len(shown(page)) == 5
    assert page.count_label.text() == "共 5 条"


def test_search_as_you_type_finds_by_name_fragment(qtbot, ctx, page):
    type_text(page.search_edit, "铸造")
    wait_idle(qtbot, ctx)
    assert shown(page) == ["东港精密铸造有限公司"]
    assert page.count_label.text() == "共 1 条"


@pytest.mark.parametrize("typed", ["m0001", "ｍ０００１", "100m0001"])
def test_search_finds_by_credit_code_fragment_in_lower_case_or_full_width(qtbot, ctx, page, typed):
    type_text(page.search_edit, typed)
    wait_idle(qtbot, ctx)
    assert shown(page) == ["东港精密铸造有限公司"]


def test_search_finds_by_address(qtbot, ctx, page):
    type_text(page.search_edit, "湖滨路")
    wait_idle(qtbot, ctx)
    assert shown(page) == ["西湖纺织印染厂"]


def test_only_the_latest_query_is_shown(qtbot, ctx, page):
    emitted = []
    page.results_shown.connect(emitted.append)
    for text in ("东", "东港", "东港五", "化工"):
        page.set_search_text(text)
    wait_idle(qtbot, ctx)
    assert emitted == [1]
    assert shown(page) == ["南山化工有限公司"]


def test_escape_clears_the_search_and_ctrl_f_focuses_it(qtbot, ctx, page):
    page.set_search_text("化工")
    wait_idle(qtbot, ctx)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search_edit.hasFocus()
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Escape)
    wait_idle(qtbot, ctx)
    assert page.search_edit.text() == "" and len(shown(page)) == 5


def choose(qtbot, ctx, combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))
    wait_idle(qtbot, ctx)


@pytest.mark.parametrize("combo_name, data, expected", [
    ("category_filter", Category.D_CLASS.name, {"东港精密铸造有限公司", "南山化工有限公司"}),
    ("grade_filter", EvaluationClass.C.name, {"西湖纺织印染厂"}),
    ("state_filter", TargetState.WITHDRAWN.name, {"南山化工有限公司"}),
    ("kind_filter", TargetKind.PARCEL.name, {"南山老码头地块"}),
])
def test_each_filter_narrows_the_results(qtbot, ctx, page, combo_name, data, expected):
    choose(qtbot, ctx, getattr(page, combo_name), data)
    assert set(shown(page)) == expected


def test_town_and_park_filters_narrow_and_offer_the_towns_parks(qtbot, ctx, page, ledger):
    choose(qtbot, ctx, page.town_filter, ledger.towns["南山镇"])
    assert set(shown(page)) == {"南山老码头地块", "南山化工有限公司"}
    assert [page.park_filter.itemText(i) for i in range(page.park_filter.count())] == ["全部片区", "不在片区"]
    choose(qtbot, ctx, page.town_filter, ledger.towns["东港镇"])
    choose(qtbot, ctx, page.park_filter, ledger.park)
    assert shown(page) == ["东港五金制品厂"]
    choose(qtbot, ctx, page.park_filter, target_service.NO_PARK)
    assert shown(page) == ["东港精密铸造有限公司"]
    page.clear_filters()
    wait_idle(qtbot, ctx)
    assert len(shown(page)) == 5


def test_sorting_by_a_column_reorders_through_sql(qtbot, ctx, page):
    col = page.model.column_of("land_area_mu")
    page.table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    wait_idle(qtbot, ctx)
    assert page.model.sort_key == "land_area_mu" and page.model.descending
    assert shown(page)[:2] == ["南山老码头地块", "西湖纺织印染厂"]
    page.table.sortByColumn(col, Qt.SortOrder.AscendingOrder)
    wait_idle(qtbot, ctx)
    assert shown(page)[:2] == ["东港五金制品厂", "南山化工有限公司"]


def test_a_change_made_elsewhere_refreshes_the_rows_and_filters(qtbot, ctx, page, ledger):
    from desktop.services.towns import town_service

    town_service.update_town(ctx.db, ledger.towns["南山镇"], name="南山街道")
    ctx.changed("town")
    wait_idle(qtbot, ctx)
    row = page.model.row_of(ledger.ids["dock"])
    assert page.model.data(page.model.index(row, page.model.column_of("town"))) == "南山街道"
    assert page.town_filter.findText("南山街道") > 0


def test_year_change_shows_that_years_evaluation_class(qtbot, ctx, page, ledger):
    from desktop.services.year import year_service

    year_service.new_year(ctx.db, 2025)  # evaluation year 2023: nobody has a class there yet
    ctx.set_year(2025)
    wait_idle(qtbot, ctx)
    row = page.model.row_of(ledger.ids["casting"])
    assert page.model.data(page.model.index(row, page.model.column_of("grade"))) == ""
    assert page.grade_filter.toolTip() == "按2023年度综合评价筛选"


# Columns --------------------------------------------------------------------------------------------

def test_hidden_and_moved_columns_survive_a_new_page(qtbot, ctx, ledger, page):
    header = page.table.horizontalHeader()
    address = page.model.column_of("address")
    code = page.model.column_of("credit_code")
    menu = page.column_menu()
    next(a for a in menu.actions() if a.text() == "地址").trigger()
    header.moveSection(header.visualIndex(code), 0)
    header.resizeSection(page.model.column_of("name"), 321)
    assert header.isSectionHidden(address)
    page.save_layout()
    ctx.settings.sync()

    again_settings = QSettings(ctx.settings.fileName(), QSettings.Format.IniFormat)
    ctx.settings = again_settings
    second = RegisterPage(ctx)
    qtbot.addWidget(second)
    h2 = second.table.horizontalHeader()
    assert h2.isSectionHidden(address)
    assert h2.logicalIndex(0) == code
    assert h2.sectionSize(second.model.column_of("name")) == 321
    item = next(a for a in second.column_menu().actions() if a.text() == "地址")
    assert item.isCheckable() and not item.isChecked()


def test_sort_order_is_remembered(qtbot, ctx, page):
    page.table.sortByColumn(page.model.column_of("town"), Qt.SortOrder.DescendingOrder)
    wait_idle(qtbot, ctx)
    page.save_layout()
    second = RegisterPage(ctx)
    qtbot.addWidget(second)
    assert (second.model.sort_key, second.model.descending) == ("town", True)


# Dialog ---------------------------------------------------------------------------------------------

def test_dialog_refuses_a_bad_credit_code_at_the_field_and_keeps_the_input(qtbot, ctx, page, ledger):
    dlg = page.add_target()
    dlg.name.setText("东港新材料科技有限公司")
    dlg.town.setCurrentIndex(dlg.town.findData(ledger.towns["东港镇"]))
    dlg.address.setText("东港镇新港路1号")
    bad = CODE_CASTING[:17] + ("1" if CODE_CASTING[17] != "1" else "2")
    qtbot.keyClicks(dlg.code, bad.lower())
    assert "校验位" in dlg.error_text("credit_code")  # live, before saving
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assert dlg.isVisible()
    assert "校验位" in dlg.error_text("credit_code")
    assert dlg.focusWidget() is dlg.code
    assert (dlg.name.text(), dlg.address.text(), dlg.code.text()) == ("东港新材料科技有限公司", "东港镇新港路1号", bad.lower())
    assert len(target_service.search_ids(ctx.db, RegisterFilter(text="新材料"), year=YEAR)) == 0
    dlg.done(0)


def test_dialog_shows_a_green_tick_for_a_valid_code(qtbot, page):
    dlg = page.add_target()
    qtbot.keyClicks(dlg.code, CODE_CASTING.lower())
    assert dlg.error_text("credit_code").startswith("✓ 校验通过")
    dlg.done(0)


def test_duplicate_code_is_shown_at_the_field_with_the_other_name(qtbot, ctx, page, ledger):
    dlg = page.add_target()
    dlg.name.setText("另一家公司")
    dlg.town.setCurrentIndex(dlg.town.findData(ledger.towns["西湖街道"]))
    dlg.category.setCurrentIndex(dlg.category.findData(Category.POINT.name))
    dlg.code.setText(CODE_CASTING)
    dlg.submit()
    wait_idle(qtbot, ctx)
    assert dlg.isVisible() and "东港精密铸造有限公司" in dlg.error_text("credit_code")
    dlg.done(0)


def test_square_metres_typed_in_the_dialog_are_stored_as_mu(qtbot, ctx, page, ledger):
    dlg = page.add_target()
    dlg.name.setText("西湖电镀厂")
    dlg.town.setCurrentIndex(dlg.town.findData(ledger.towns["西湖街道"]))
    dlg.category.setCurrentIndex(dlg.category.findData(Category.POINT.name))
    dlg.land_unit.setCurrentText("㎡")
    dlg.land_area.setText("6666.67")
    assert dlg.land_equiv.text() == "= 10.00 亩"
    with qtbot.waitSignal(page.results_shown):
        qtbot.keyClick(dlg.name, Qt.Key.Key_Return)  # Enter saves
    wait_idle(qtbot, ctx)
    tid = target_service.search_ids(ctx.db, RegisterFilter(text="电镀"), year=YEAR)[0]
    assert target_service.get(ctx.db, tid, year=YEAR).values.land_area_mu == Decimal("10.0000")
    assert page.current_id() == tid  # the new object is selected


def test_escape_with_edits_asks_before_discarding(qtbot, page, monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    dlg = page.add_target()
    dlg.name.setText("半填的名称")
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)
    assert asked and dlg.isVisible() and dlg.name.text() == "半填的名称"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dlg.reject()
    assert not dlg.isVisible()


def test_closing_the_window_with_an_unsaved_dialog_asks(page, monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    assert page.confirm_close()  # nothing open
    dlg = page.add_target()
    dlg.name.setText("半填的名称")
    assert page.confirm_close() is False and len(asked) == 1
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dlg.reject()


def test_new_target_starts_in_the_filtered_town_with_its_parks(qtbot, ctx, page, ledger):
    choose(qtbot, ctx, page.town_filter, ledger.towns["东港镇"])
    dlg = page.add_target()
    assert dlg.town.currentData() == ledger.towns["东港镇"]
    assert [dlg.park.itemText(i) for i in range(dlg.park.count())] == ["（不在片区）", "东港老工业园"]
    assert not dlg.is_dirty()
    dlg.done(0)


def test_parcel_fields_show_only_for_parcels(page):
    dlg = page.add_target()
    assert not dlg.land_cert_no.isVisibleTo(dlg) and dlg.code.isVisibleTo(dlg)
    dlg.kind.setCurrentIndex(dlg.kind.findData(TargetKind.PARCEL.name))
    assert dlg.land_cert_no.isVisibleTo(dlg) and dlg.owner.isVisibleTo(dlg) and not dlg.code.isVisibleTo(dlg)
    assert not dlg.grade.isEnabled()
    dlg.done(0)


# Delete, edit, undo ---------------------------------------------------------------------------------

def test_delete_asks_with_the_name_then_deletes_and_undo_recreates(qtbot, ctx, page, monkeypatch):
    asked = []

    def yes(_parent, _title, text, *a, **k):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    select_name(qtbot, ctx, page, "西湖纺织印染厂")
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    wait_idle(qtbot, ctx)
    assert len(asked) == 1 and "西湖纺织印染厂" in asked[0]
    assert "西湖纺织印染厂" not in shown(page)
    assert page.count_label.text() == "共 4 条"

    page.undo.undo_button.click()
    wait_idle(qtbot, ctx)
    assert "西湖纺织印染厂" in shown(page)
    tid = page.current_id()
    restored = target_service.get(ctx.db, tid, year=YEAR).values
    assert (restored.name, restored.grade, restored.state) == ("西湖纺织印染厂", EvaluationClass.C, TargetState.IN_PROGRESS)

    page.undo.redo_button.click()
    wait_idle(qtbot, ctx)
    assert "西湖纺织印染厂" not in shown(page)


def test_delete_answered_no_keeps_the_target(qtbot, ctx, page, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    select_name(qtbot, ctx, page, "西湖纺织印染厂")
    page.delete_current()
    wait_idle(qtbot, ctx)
    assert "西湖纺织印染厂" in shown(page)


def edit_name(qtbot, ctx, page, old: str, new: str) -> None:
    select_name(qtbot, ctx, page, old)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # Enter edits
    wait_idle(qtbot, ctx)
    dlg = page._dialog
    assert dlg is not None and dlg.name.text() == old and not dlg.kind.isEnabled()
    dlg.name.setText(new)
    dlg.submit()
    wait_idle(qtbot, ctx)


def test_editing_updates_the_row(qtbot, ctx, page):
    edit_name(qtbot, ctx, page, "西湖纺织印染厂", "西湖纺织印染有限公司")
    assert "西湖纺织印染有限公司" in shown(page) and "西湖纺织印染厂" not in shown(page)
    assert page.model.row_data(page.table.currentIndex().row()).name == "西湖纺织印染有限公司"


def test_undo_of_an_edit_puts_the_old_values_back(qtbot, ctx, page):
    edit_name(qtbot, ctx, page, "西湖纺织印染厂", "西湖纺织印染有限公司")
    page.undo.stack.undo()
    wait_idle(qtbot, ctx)
    assert "西湖纺织印染厂" in shown(page) and "西湖纺织印染有限公司" not in shown(page)


def test_detail_pane_shows_entries_fields_and_history_after_an_edit(qtbot, ctx, page):
    edit_name(qtbot, ctx, page, "西湖纺织印染厂", "西湖纺织印染有限公司")
    wait_idle(qtbot, ctx)
    pane = page.detail
    assert pane.title.text() == "西湖纺织印染有限公司（企业）"
    assert pane.values["grade"].text() == "C类"
    history = pane.history_model.rows
    assert history[0].action == "修改" and history[0].summary() == "名称：西湖纺织印染厂 → 西湖纺织印染有限公司"
    assert history[-1].action == "新增"


def test_delete_of_a_listed_target_is_refused_with_a_message(qtbot, ctx, page, ledger, monkeypatch):
    from test_target_service import _put_on_list

    _put_on_list(ctx.db, ledger.towns["东港镇"], ledger.ids["casting"])
    warnings = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: warnings.append(text))
    select_name(qtbot, ctx, page, "东港精密铸造有限公司")
    wait_idle(qtbot, ctx)
    assert page.detail.entries_model.rowCount() == 1
    page.delete_current()
    wait_idle(qtbot, ctx)
    assert warnings and "治理清单" in warnings[0]
    assert "东港精密铸造有限公司" in shown(page)
    assert not page.undo.stack.canUndo()


def test_a_broad_search_shows_its_first_screen_then_completes_without_a_reset(qtbot, ctx, ledger, page):
    page.FIRST_SCREEN = 2  # the ledger has 5 objects: the first screen holds 2, the rest follows
    resets, inserted, shown_counts = [], [], []
    page.model.modelReset.connect(lambda: resets.append(1))
    page.model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    page.results_shown.connect(shown_counts.append)
    with qtbot.waitSignal(page.results_complete, timeout=5000) as complete:
        page.set_search_text("")
    assert complete.args == [5]
    assert shown_counts == [2]  # rows were on screen before the count was known
    assert resets == [1] and inserted == [(2, 4)]  # completed by appending, not by a second reset
    assert page.model.ids() == target_service.search_ids(ctx.db, RegisterFilter(), year=YEAR)
    assert page.count_label.text() == "共 5 条"


def test_a_search_typed_on_stops_the_one_still_reading_and_only_the_last_is_shown(qtbot, ctx, ledger, page,
                                                                                  monkeypatch):
    """The lane runs one job at a time: the whole result of a keystroke must not hold up the next one.
    A search superseded while it reads stops (db.Superseded) and says nothing; the newer one is shown."""
    from desktop.services import db as db_module
    from desktop.views.register import register_view

    monkeypatch.setattr(db_module, "PROGRESS_STEPS", 1)
    asked, errors = [], []
    monkeypatch.setattr(register_view, "show_error", lambda _p, exc: errors.append(exc))
    real = target_service.search_ids

    def typing_on(ledger_, flt, **kwargs):
        if flt.text == "东港" and not asked:
            page._searches.next()  # as if the clerk typed on while this search reads
        asked.append(flt.text)
        return real(ledger_, flt, **kwargs)

    monkeypatch.setattr(target_service, "search_ids", typing_on)
    with pytest.raises(db_module.Superseded):
        register_view.latest_search(ctx.ledger, page._searches, page._searches.next(), RegisterFilter(text="东港"),
                                    year=YEAR)
    assert register_view.latest_search(ctx.ledger, page._searches, page._searches.value - 1,
                                       RegisterFilter(text="东港"), year=YEAR) is None  # not even started
    with qtbot.waitSignal(page.results_complete, timeout=5000):
        page.set_search_text("精密")
    wait_idle(qtbot, ctx)
    assert errors == [] and page.count_label.text().startswith("共")
    assert page.model.ids() == real(ctx.db, RegisterFilter(text="精密"), year=YEAR)


def test_a_detail_asked_for_then_unselected_before_the_lane_reads_it_leaves_the_pane_empty(qtbot, ctx, page):
    """The selection goes (a search without the row) while its detail waits on the lane: the skipped read's
    answer is dropped, not shown (it used to reach the pane as None and fail)."""
    import threading

    hold = threading.Event()
    ctx.worker.run(lambda: hold.wait(5))  # the lane is busy with something else
    page.table.selectRow(0)
    assert page._detail_wanted is not None
    page.table.selectionModel().clearCurrentIndex()
    page._load_detail()
    hold.set()
    wait_idle(qtbot, ctx)
    assert page.detail.detail is None and page._detail_wanted is None  # (an exception in Qt fails the test)


def test_first_screen_query_returns_the_head_of_the_full_order(db, ledger):
    full = target_service.search_ids(db, RegisterFilter(), year=YEAR, sort="land_area_mu", descending=True)
    assert target_service.search_ids(db, RegisterFilter(), year=YEAR, sort="land_area_mu", descending=True,
                                     limit=3) == full[:3]


# Warnings before the act, actions that follow the selection, undo of an addition ---------------------

def fill_new_d_class(qtbot, ctx, page, ledger, name: str):
    dlg = page.add_target()
    dlg.name.setText(name)
    dlg.town.setCurrentIndex(dlg.town.findData(ledger.towns["东港镇"]))
    dlg.category.setCurrentIndex(dlg.category.findData(Category.D_CLASS.name))
    assert dlg.grade.currentData() is None
    return dlg


def test_a_d_class_object_without_a_d_evaluation_is_named_before_saving(qtbot, ctx, page, ledger, monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *a, **k: asked.append(text)
                        or QMessageBox.StandardButton.No)
    dlg = fill_new_d_class(qtbot, ctx, page, ledger, "东港新建铸件厂")
    dlg.submit()
    wait_idle(qtbot, ctx)
    assert len(asked) == 1 and "D类低效" in asked[0] and "2022年度综合效益评价" in asked[0]
    assert dlg.isVisible() and "2022年度综合评价D类" in dlg.error_text("grade")
    assert target_service.search_ids(ctx.db, RegisterFilter(text="新建铸件"), year=YEAR) == []
    dlg.grade.setCurrentIndex(dlg.grade.findData(EvaluationClass.D.name))
    assert dlg.error_text("grade") == ""  # the red line goes as soon as the field is edited
    dlg.submit()
    wait_idle(qtbot, ctx)
    assert len(asked) == 1 and page._dialog is None  # with its D class nothing is asked: saved and closed
    tid = target_service.search_ids(ctx.db, RegisterFilter(text="新建铸件"), year=YEAR)[0]
    assert target_service.get(ctx.db, tid, year=YEAR).values.grade == EvaluationClass.D


def test_a_d_class_object_is_saved_without_evaluation_when_the_clerk_says_so(qtbot, ctx, page, ledger,
                                                                           monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dlg = fill_new_d_class(qtbot, ctx, page, ledger, "东港待评价企业")
    dlg.submit()
    wait_idle(qtbot, ctx)
    assert page._dialog is None
    tid = target_service.search_ids(ctx.db, RegisterFilter(text="待评价"), year=YEAR)[0]
    values = target_service.get(ctx.db, tid, year=YEAR).values
    assert (values.category, values.grade) == (Category.D_CLASS, None)


def test_a_refused_field_loses_its_red_line_when_edited(qtbot, ctx, page):
    dlg = page.add_target()
    dlg.submit()
    assert dlg.error_text("name") == "名称不能为空"
    qtbot.keyClicks(dlg.name, "A")
    assert dlg.error_text("name") == ""
    dlg.done(0)


def test_buttons_follow_the_selection_and_delete_says_why_not(qtbot, ctx, page, ledger):
    from test_target_service import _put_on_list

    page.table.clearSelection()
    page.table.setCurrentIndex(page.model.index(-1, -1))
    wait_idle(qtbot, ctx)
    assert page.add_button.isEnabled()
    for b in (page.edit_button, page.delete_button):
        assert not b.isEnabled() and b.toolTip().startswith("请先选择一行")
    select_name(qtbot, ctx, page, "西湖纺织印染厂")
    assert page.edit_button.isEnabled() and page.delete_button.isEnabled()
    _put_on_list(ctx.db, ledger.towns["东港镇"], ledger.ids["casting"])
    ctx.changed("list_entry")
    wait_idle(qtbot, ctx)
    select_name(qtbot, ctx, page, "东港精密铸造有限公司")
    assert page.edit_button.isEnabled()
    assert not page.delete_button.isEnabled() and "已列入1条治理清单" in page.delete_button.toolTip()


def test_undo_takes_a_new_target_away_and_redo_brings_it_back_selected(qtbot, ctx, page, ledger):
    dlg = page.add_target()
    dlg.name.setText("西湖电镀厂")
    dlg.town.setCurrentIndex(dlg.town.findData(ledger.towns["西湖街道"]))
    dlg.category.setCurrentIndex(dlg.category.findData(Category.POINT.name))
    dlg.submit()
    wait_idle(qtbot, ctx)
    assert "西湖电镀厂" in shown(page)
    page.activateWindow()  # the closed dialog had the focus
    qtbot.waitUntil(page.isActiveWindow)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ctx)
    assert "西湖电镀厂" not in shown(page)
    qtbot.keyClick(page.table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ctx)
    assert "西湖电镀厂" in shown(page)
    assert page.model.row_data(page.table.currentIndex().row()).name == "西湖电镀厂"


def test_reset_columns_brings_back_every_column_in_order_at_its_width(page):
    header = page.table.horizontalHeader()
    address, code = page.model.column_of("address"), page.model.column_of("credit_code")
    next(a for a in page.column_menu().actions() if a.text() == "地址").trigger()
    header.moveSection(header.visualIndex(code), 0)
    header.resizeSection(page.model.column_of("name"), 321)
    next(a for a in page.column_menu().actions() if a.text() == "恢复默认列").trigger()
    assert not header.isSectionHidden(address)
    assert [header.logicalIndex(v) for v in range(header.count())] == list(range(header.count()))
    assert header.sectionSize(page.model.column_of("name")) == 220


def test_a_keystrokes_first_screen_is_read_on_the_lane_and_shows_what_a_model_reading_it_itself_shows(
        qtbot, ctx, ledger, page, monkeypatch):
    """The rows on screen come from the lane with the keystroke's ids, so drawing them reads nothing on the GUI
    thread; every cell, in every role, is what a model fetching its own rows answers; rows below those the
    lane read are still read as they are drawn."""
    values = target_service.get(ctx.db, ledger.ids["casting"], year=YEAR).values
    values.state = TargetState.WITHDRAWN
    target_service.update(ctx.db, ledger.ids["casting"], values, year=YEAR)
    roles = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.TextAlignmentRole,
             Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.UserRole]
    for on_screen, block_fetches in ((5, 0), (3, 1)):  # the whole small register, then its first three rows
        page.model.set_ids([])
        page.model.invalidate()  # nothing cached: the lane reads the rows
        wait_idle(qtbot, ctx)
        monkeypatch.setattr(page, "_rows_on_screen", lambda n=on_screen: n)
        before = page.model.fetches
        with qtbot.waitSignal(page.results_complete, timeout=5000):
            page.set_search_text("路" if on_screen == 5 else "号")  # every object's address
        page.table.viewport().repaint()
        assert page.model.fetches == before + block_fetches
        own = RegisterTableModel(ctx.db, YEAR)
        own.set_ids(page.model.ids())
        assert own.rowCount() == 5
        for r in range(own.rowCount()):
            for c in range(own.columnCount()):
                for role in roles:
                    assert page.model.data(page.model.index(r, c), role) == own.data(own.index(r, c), role), \
                        (r, c, role)


def test_the_count_beside_the_search_box_never_moves_it(qtbot, ctx, page):
    """The count's label keeps one width whatever it says: a width following the count laid the search row out
    again on every keystroke (and Qt drew the box, the row and the page behind them once more)."""
    from PySide6.QtCore import QCoreApplication

    box = page.search_edit.geometry()
    for text in ("", "化工", "不会有这样的名字", "有限"):
        page.set_search_text(text)
        wait_idle(qtbot, ctx)
        QCoreApplication.sendPostedEvents()
        assert page.search_edit.geometry() == box, text
    page.count_label.setText("共 1000000+ 条，统计中…")
    assert page.count_label.sizeHint().width() <= page.count_label.width()  # the longest text fits
