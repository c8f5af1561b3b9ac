"""导出Excel…: any table as the clerk sees it (visible columns in their order, rows in the view's order,
filters applied) to a printable .xlsx; the register exports every matching row, not only those drawn."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from desktop.services.excel import table_export
from desktop.services.errors import UserError
from desktop.services.excel.excel_common import EXCEL_CELL_LIMIT, CancelToken, Cancelled
from desktop.services.excel.table_export import Formatted, write_table

NOW = dt.datetime(2024, 10, 31, 9, 5)


def sheet(path):
    return load_workbook(path).active


def data_rows(ws, first: int = 4) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows(min_row=first)]


# The service ---------------------------------------------------------------------------------------

@pytest.fixture
def written(tmp_path):
    rows = [
        ["甲镇化工厂", Decimal("1234.50"), 7, 2.125, dt.date(2024, 3, 5), True, None, "=1+1"],
        ["=HYPERLINK(\"http://x\",\"点我\")", Decimal("-3"), 0, 0.5, dt.datetime(2024, 3, 5, 14, 30), False,
         Formatted(Decimal("0.3"), "0.00%"), "+86 123"],
    ]
    path = tmp_path / "表.xlsx"
    n = write_table(path, title="测试表", headers=["名称", "面积（亩）", "个数", "比值", "日期", "已完成", "占比", "备注"],
                    rows=rows, subtitle="筛选：镇街=甲镇", now=NOW)
    return path, n


def test_title_subtitle_and_header_rows_come_first(written):
    path, n = written
    ws = sheet(path)
    assert n == 2
    assert ws["A1"].value == "测试表" and ws["A1"].font.b
    assert "A1:H1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == "筛选：镇街=甲镇　　导出时间：2024-10-31 09:05"
    assert [c.value for c in ws[3]] == ["名称", "面积（亩）", "个数", "比值", "日期", "已完成", "占比", "备注"]
    assert all(c.font.b for c in ws[3])


def test_numbers_stay_numbers_and_dates_stay_dates(written):
    ws = sheet(written[0])
    first, second = data_rows(ws)
    assert first[1] == 1234.5 and ws["B4"].data_type == "n" and ws["B4"].number_format == "#,##0.00"
    assert first[2] == 7 and ws["C4"].data_type == "n"
    assert first[3] == 2.125 and ws["D4"].number_format == table_export.FLOAT_FORMAT
    assert ws["E4"].is_date and first[4] == dt.datetime(2024, 3, 5) and ws["E4"].number_format == "yyyy-mm-dd"
    assert ws["E5"].is_date and second[4] == dt.datetime(2024, 3, 5, 14, 30)
    assert second[1] == -3 and ws["B5"].number_format == "#,##0"
    assert second[6] == 0.3 and ws["G5"].number_format == "0.00%"


def test_text_that_looks_like_a_formula_stays_text(written):
    ws = sheet(written[0])
    assert ws["H4"].value == "=1+1" and ws["H4"].data_type == "s"
    assert ws["A5"].value.startswith("=HYPERLINK(") and ws["A5"].data_type == "s"
    assert ws["H5"].value == "+86 123" and ws["H5"].data_type == "s"


def test_bool_is_yes_or_no_and_none_is_empty(written):
    ws = sheet(written[0])
    assert ws["F4"].value == "是" and ws["F5"].value == "否"
    assert ws["G4"].value is None


def test_header_is_frozen_filtered_and_printed_on_every_a4_landscape_page(written):
    ws = sheet(written[0])
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == "A3:H5"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth or 1) == 1  # the file format's default, left out by xlsxwriter
    assert int(ws.page_setup.fitToHeight) == 0


def test_column_widths_count_chinese_characters_double(tmp_path):
    path = tmp_path / "w.xlsx"
    write_table(path, now=NOW, title="宽度", headers=["名", "code"], rows=[["一二三四五六七八九十", "abcdefghij"]])
    ws = sheet(path)
    chinese, latin = ws.column_dimensions["A"].width, ws.column_dimensions["B"].width
    assert chinese > latin + 8  # 10 wide characters ≈ 20 columns, 10 narrow ≈ 10
    assert table_export.text_width("甲镇ab") == 6


def test_very_long_text_is_cut_to_what_a_cell_holds(tmp_path):
    path = tmp_path / "long.xlsx"
    write_table(path, now=NOW, title="长", headers=["说明", "x"], rows=[["字" * (EXCEL_CELL_LIMIT + 10), 1]])
    assert len(sheet(path)["A4"].value) == EXCEL_CELL_LIMIT
    assert round(sheet(path).column_dimensions["A"].width) == table_export.MAX_WIDTH + 1  # xlsxwriter adds padding


def test_xlsx_is_added_when_the_name_has_no_such_ending(tmp_path):
    n = write_table(tmp_path / "台账", now=NOW, title="t", headers=["a"], rows=[["x"]])
    assert n == 1 and (tmp_path / "台账.xlsx").exists() and sheet(tmp_path / "台账.xlsx")["A4"].value == "x"
    assert table_export.xlsx_path("a.XLSX").name == "a.XLSX"
    assert table_export.xlsx_path("a.csv").name == "a.csv.xlsx"


def test_a_missing_folder_is_refused_in_chinese_naming_it(tmp_path):
    with pytest.raises(UserError, match="文件夹.*不存在"):
        write_table(tmp_path / "没有" / "a.xlsx", now=NOW, title="t", headers=["a"], rows=[])


def test_a_folder_as_the_file_name_is_refused(tmp_path):
    (tmp_path / "d.xlsx").mkdir()
    with pytest.raises(UserError, match="是一个文件夹"):
        write_table(tmp_path / "d.xlsx", now=NOW, title="t", headers=["a"], rows=[])


def test_cancel_leaves_no_file_behind(tmp_path):
    token = CancelToken()
    seen = []

    def rows():
        for i in range(3000):
            if i == 1200:
                token.cancel()
            yield [i]

    with pytest.raises(Cancelled, match="已取消"):
        write_table(tmp_path / "c.xlsx", now=NOW, title="t", headers=["n"], rows=rows(), cancel=token,
                    progress=lambda d, t: seen.append(d))
    assert list(tmp_path.iterdir()) == []
    assert seen == [500, 1000]


def test_progress_counts_rows_against_the_total_when_known(tmp_path):
    seen = []
    n = write_table(tmp_path / "p.xlsx", now=NOW, title="t", headers=["n"], rows=[[i] for i in range(1200)],
                    progress=lambda d, t: seen.append((d, t)))
    assert n == 1200 and seen == [(500, 1200), (1000, 1200), (1200, 1200)]
    assert sheet(tmp_path / "p.xlsx").max_row == 3 + 1200


def test_an_empty_table_still_writes_title_and_header(tmp_path):
    assert write_table(tmp_path / "e.xlsx", now=NOW, title="空表", headers=["甲", "乙"], rows=[]) == 0
    ws = sheet(tmp_path / "e.xlsx")
    assert ws["A1"].value == "空表" and [c.value for c in ws[3]] == ["甲", "乙"] and ws.max_row == 3


def test_default_file_name_is_title_and_date_without_bad_characters():
    assert table_export.default_filename("期限一览（截至2024-03-15）", dt.date(2024, 5, 6)) == \
        "期限一览（截至2024-03-15）_20240506.xlsx"
    assert table_export.default_filename("a/b:c", dt.date(2024, 5, 6)) == "a_b_c_20240506.xlsx"
    assert table_export.sheet_name("x" * 40 + "[]") == "x" * 31


# The register's every-row source ---------------------------------------------------------------------

@pytest.fixture
def demo(db):
    from desktop.services.demo import demo_service

    demo_service.generate(db)
    return db


def test_register_rows_are_every_match_in_the_sql_sort(demo):
    from desktop.models.enums import TargetKind
    from desktop.services.register import target_service
    from desktop.services.register.target_service import RegisterFilter

    flt = RegisterFilter(kind=TargetKind.ENTERPRISE)
    ids = target_service.search_ids(demo, flt, year=2024, sort="land_area_mu", descending=True)
    rows = table_export.register_rows(demo, flt, year=2024, keys=["name", "land_area_mu", "kind"],
                                      sort="land_area_mu", descending=True, chunk=50)
    assert len(rows) == len(ids) > 100
    got = list(rows)
    expected = [r.name for r in target_service.fetch_rows(demo, ids, year=2024)]
    assert [r[0] for r in got] == expected
    assert all(r[2] == "企业" for r in got)
    areas = [r[1] for r in got if r[1] is not None]
    assert areas == sorted(areas, reverse=True) and all(a.as_tuple().exponent == -2 for a in areas)


# The view helper -------------------------------------------------------------------------------------

def test_a_shown_number_becomes_a_number_that_shows_the_same_text():
    from desktop.views.kit.table_export import number_from_text

    assert number_from_text("1,234.50") == Formatted(Decimal("1234.50"), "#,##0.00")
    assert number_from_text("12") == Formatted(Decimal("12"), "#,##0")
    assert number_from_text("2024") == Formatted(Decimal("2024"), "0")  # shown without separators
    assert number_from_text("-3.5") == Formatted(Decimal("-3.5"), "#,##0.0")
    assert number_from_text("30.00%") == Formatted(Decimal("0.3"), "0.00%")
    for text in ("007", "12.5 亩", "—", "1,23", "911100001234567890", "1e5", "", "3-05"):
        assert number_from_text(text) is None, text


def test_a_shown_date_becomes_a_date():
    from desktop.views.kit.table_export import date_from_text

    assert date_from_text("2024-03-05") == Formatted(dt.date(2024, 3, 5), "yyyy-mm-dd")
    assert date_from_text("2024-03-05 14:30") == Formatted(dt.datetime(2024, 3, 5, 14, 30), "yyyy-mm-dd hh:mm")
    assert date_from_text("2024-02-30") is None and date_from_text("03-05") is None


def _standard_view(qtbot, rows, right=(2,)):
    from PySide6.QtCore import QSortFilterProxyModel, Qt
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QTableView

    model = QStandardItemModel(0, 4)
    model.setHorizontalHeaderLabels(["名称", "镇街", "面积（亩）", "编号"])
    for values in rows:
        items = [QStandardItem(v) for v in values]
        for c in right:
            items[c].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        items[2].setData(float(values[2].replace(",", "")), Qt.ItemDataRole.UserRole)  # sorts by number
        model.appendRow(items)
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(Qt.ItemDataRole.UserRole)
    view = QTableView()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.horizontalHeader().setSectionsMovable(True)
    qtbot.addWidget(view)
    view._keep = (model, proxy)
    return view, proxy


def test_cells_keep_text_unless_a_right_aligned_number_or_a_date(qtbot):
    from desktop.views.kit.table_export import cell_value

    view, proxy = _standard_view(qtbot, [["2024-01-09", "=1+1", "1,200.00", "007"]], right=(2, 3))
    values = [cell_value(proxy.index(0, c)) for c in range(4)]
    assert values == [Formatted(dt.date(2024, 1, 9), "yyyy-mm-dd"), "=1+1", Formatted(Decimal("1200.00"), "#,##0.00"),
                      "007"]
    view2, proxy2 = _standard_view(qtbot, [["a", "b", "1,200.00", "12"]], right=())
    assert cell_value(proxy2.index(0, 2)) == "1,200.00"  # left-aligned: not a numeric column


def test_a_number_from_the_models_edit_role_is_kept(qtbot):
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

    from desktop.views.kit.table_export import cell_value

    class Model(QAbstractTableModel):
        def rowCount(self, parent=QModelIndex()):
            return 1

        def columnCount(self, parent=QModelIndex()):
            return 1

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            if role == Qt.ItemDataRole.DisplayRole:
                return "约 12.5 亩"
            if role == Qt.ItemDataRole.EditRole:
                return Decimal("12.5")
            return None

    model = Model()
    assert cell_value(model.index(0, 0)) == Decimal("12.5")


@pytest.fixture
def bare_page(qtbot, ctx):
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    page = QWidget()
    page.ctx = ctx
    QVBoxLayout(page)
    qtbot.addWidget(page)
    return page


def export_now(qtbot, exporter, path):
    with qtbot.waitSignal(exporter.exported, timeout=10000) as blocker:
        exporter.export_to(path)
    return blocker.args


def test_a_proxy_view_exports_what_it_shows_filtered_sorted_moved_and_hidden(qtbot, bare_page, tmp_path):
    from PySide6.QtCore import Qt

    from desktop.views.kit.table_export import add_export_action, exporters

    view, proxy = _standard_view(qtbot, [
        ["甲一厂", "甲镇", "3.00", "A1"], ["乙一厂", "乙镇", "9.00", "B1"], ["甲二厂", "甲镇", "12.50", "A2"],
        ["甲三厂", "甲镇", "1,000.25", "A3"], ["甲四厂", "甲镇", "0.50", "A4"],
    ])
    bare_page.layout().addWidget(view)
    button = add_export_action(bare_page, view, title=lambda: "测试", settings_key="t")
    bare_page.layout().addWidget(button)
    proxy.setFilterKeyColumn(1)
    proxy.setFilterFixedString("甲镇")
    view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    header = view.horizontalHeader()
    header.moveSection(header.visualIndex(3), 0)  # 编号 first
    header.hideSection(1)  # 镇街 hidden
    view.setRowHidden(3, True)  # the smallest, 甲四厂 (sorted last), hidden by the page
    rows, path = export_now(qtbot, exporters(bare_page)[0], tmp_path / "proxy")
    ws = sheet(path)
    assert rows == 3 and path.endswith("proxy.xlsx")
    assert [c.value for c in ws[3]] == ["编号", "名称", "面积（亩）"]
    assert data_rows(ws) == [["A3", "甲三厂", 1000.25], ["A2", "甲二厂", 12.5], ["A1", "甲一厂", 3]]
    assert ws["C4"].number_format == "#,##0.00"
    assert "排序：面积（亩） 降序" in ws["A2"].value


# Real pages with the sample city ---------------------------------------------------------------------

def pick_file(monkeypatch, path):
    """QFileDialog.getSaveFileName answers `path`; the suggested name is kept for the test."""
    from PySide6.QtWidgets import QFileDialog

    asked = {}

    def answer(parent, caption, suggested, filters):
        asked["suggested"] = suggested
        return str(path), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    return asked


def build(qtbot, ctx, cls):
    from conftest import wait_idle

    page = cls(ctx)
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    page.activate()
    wait_idle(qtbot, ctx)
    return page


def test_park_page_exports_the_filtered_resorted_moved_and_hidden_table(qtbot, ctx, demo, tmp_path, monkeypatch):
    from conftest import wait_idle
    from PySide6.QtCore import Qt

    from desktop.views.parks.park_view import ParkModel, ParkPage
    from desktop.views.kit.table_export import exporters

    page = build(qtbot, ctx, ParkPage)
    keys = [k for k, _ in ParkModel.COLUMNS]
    page.town_filter.setCurrentIndex(2)
    wait_idle(qtbot, ctx)
    town = page.town_filter.currentText()
    page.table.sortByColumn(keys.index("area_mu"), Qt.SortOrder.DescendingOrder)
    header = page.table.horizontalHeader()
    header.moveSection(header.visualIndex(keys.index("status")), 0)
    header.hideSection(keys.index("start_date"))
    header.hideSection(keys.index("town"))
    model = page.model
    assert 0 < model.rowCount() < len(demo_parks(demo))

    asked = pick_file(monkeypatch, tmp_path / "片区")
    exporter = exporters(page)[0]
    with qtbot.waitSignal(exporter.exported, timeout=10000):
        qtbot.mouseClick(exporter.button, Qt.MouseButton.LeftButton)
    assert re.fullmatch(r".*/连片整治片区_\d{8}\.xlsx", asked["suggested"])
    assert ctx.settings.value("parks/export_dir") == str(tmp_path)
    ws = sheet(tmp_path / "片区.xlsx")
    order = ["status", "name", "area_mu", "target_count", "target_land_mu"]
    labels = dict(ParkModel.COLUMNS)
    assert [c.value for c in ws[3]] == [labels[k] for k in order]
    got = data_rows(ws)
    assert len(got) == model.rowCount()
    for r, row in enumerate(got):
        shown = [model.data(model.index(r, keys.index(k))) for k in order]
        assert row[0] == shown[0] and row[1] == shown[1]
        assert row[2] == pytest.approx(float(shown[2].replace(",", "")))
        assert row[3] == int(shown[3])
    areas = [row[2] for row in got]
    assert areas == sorted(areas, reverse=True)
    assert f"镇街={town}" in ws["A2"].value and "排序：面积（亩） 降序" in ws["A2"].value
    assert ws.title == "连片整治片区"
    assert page.window().isVisible()  # no main window here: the outcome shows in a message box
    assert exporter.message_box is not None and f"已导出 {len(got)} 行" in exporter.message_box.text()


def demo_parks(db):
    from desktop.services.parks import park_service

    return park_service.list_parks(db)


def test_register_exports_every_filtered_row_not_only_those_drawn(qtbot, ctx, demo, tmp_path):
    from conftest import wait_idle
    from PySide6.QtCore import Qt

    from desktop.models.enums import TargetKind
    from desktop.services.register import target_service
    from desktop.services.register.target_service import RegisterFilter
    from desktop.views.register.register_view import RegisterPage
    from desktop.views.kit.table_export import exporters

    page = build(qtbot, ctx, RegisterPage)
    page.kind_filter.setCurrentIndex(page.kind_filter.findData(TargetKind.ENTERPRISE.name))
    wait_idle(qtbot, ctx)
    keys = page.model.keys
    page.table.sortByColumn(keys.index("land_area_mu"), Qt.SortOrder.DescendingOrder)
    wait_idle(qtbot, ctx)
    header = page.table.horizontalHeader()
    for section in range(header.count()):  # the clerk shows the columns hidden by default (header menu) …
        header.showSection(section)
    header.moveSection(header.visualIndex(keys.index("credit_code")), 0)
    header.hideSection(keys.index("address"))  # … and hides the address
    flt = RegisterFilter(kind=TargetKind.ENTERPRISE)
    ids = target_service.search_ids(ctx.db, flt, year=2024, sort="land_area_mu", descending=True)
    assert page.model.ids() == ids
    drawn = len(page.model._cache)
    assert drawn < len(ids)  # only the blocks the view asked for were fetched

    rows, path = export_now(qtbot, exporters(page)[0], tmp_path / "名录.xlsx")
    assert rows == len(ids)
    ws = sheet(path)
    labels = dict(target_service.COLUMNS)
    order = ["credit_code"] + [k for k in keys if k not in ("credit_code", "address")]
    assert [c.value for c in ws[3]] == [labels[k] for k in order]
    expected = target_service.fetch_rows(ctx.db, ids, year=2024)
    got = data_rows(ws)
    assert [r[order.index("name")] for r in got] == [r.name for r in expected]
    assert [r[0] for r in got] == [r.credit_code for r in expected]
    assert all(r[order.index("kind")] == "企业" for r in got)
    area = order.index("land_area_mu")
    assert [r[area] for r in got] == [None if e.land_area_mu is None else float(e.land_area_mu) for e in expected]
    assert ws.cell(4, area + 1).number_format == "#,##0.00"
    assert "类型=企业" in ws["A2"].value and "排序：占地面积（亩） 降序" in ws["A2"].value
    assert len(page.model._cache) == drawn  # the export did not go through the page's model
    from desktop.services import audit
    [record] = audit.list_entries(ctx.db, action="export")  # and the export is in the audit log
    assert record.after == {"file_name": "名录.xlsx", "count": len(ids)} and record.user == ctx.db.user


def test_ctrl_e_exports_the_page_table(qtbot, ctx, demo, tmp_path, monkeypatch):
    from PySide6.QtCore import Qt

    from desktop.views.deadlines.deadline_view import DeadlinePage
    from desktop.views.kit.table_export import exporters

    page = build(qtbot, ctx, DeadlinePage)
    page.set_as_of(dt.date(2024, 10, 31))
    from conftest import wait_idle

    wait_idle(qtbot, ctx)
    pick_file(monkeypatch, tmp_path / "期限.xlsx")
    page.table.setFocus()
    exporter = exporters(page)[0]
    with qtbot.waitSignal(exporter.exported, timeout=10000) as blocker:
        qtbot.keyClick(page.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args[0] == page.model.rowCount() > 0
    ws = sheet(tmp_path / "期限.xlsx")
    assert ws["A1"].value == "期限一览（截至2024-10-31）"
    assert "状态=未完成" in ws["A2"].value
    due = [c.value for c in ws["E"][3:]]
    assert all(isinstance(v, dt.datetime) or v == "—" for v in due)


PAGES = [
    ("register.register_view", "RegisterPage", None),
    ("towns.town_view", "TownPage", None),
    ("parks.park_view", "ParkPage", None),
    ("lists.list_view", "ListPage", None),
    ("reports.report_view", "ReportPage", None),
    ("quota.quota_view", "QuotaPage", None),
    ("deadlines.deadline_view", "DeadlinePage", None),
    ("exams.exam_view", "ExamPage", None),
    ("landbank.landbank_view", "LandBankingPage", "landbank_tab"),
    ("landbank.landbank_view", "LandBankingPage", "acquisition_tab"),
    ("landbank.landbank_view", "LandBankingPage", "agreement_tab"),
    ("landbank.landbank_view", "LandBankingPage", "cost_tab"),
]


@pytest.mark.parametrize(("module", "cls", "tab"), PAGES)
def test_every_table_page_exports_its_table_as_shown(qtbot, ctx, demo, tmp_path, module, cls, tab):
    import importlib

    from conftest import wait_idle

    from desktop.views.kit.table_export import exporters, header_texts, visible_columns

    page = build(qtbot, ctx, getattr(importlib.import_module(f"desktop.views.{module}"), cls))
    holder = page
    if tab is not None:
        holder = getattr(page, tab)
        page.tabs.setCurrentWidget(holder)
        page.activate()
        wait_idle(qtbot, ctx)
    found = exporters(holder)
    assert len(found) == 1 and found[0].button.text() == "导出Excel…" and found[0].button.isVisible()
    exporter = found[0]
    view = exporter.view()
    columns = visible_columns(view)
    rows, path = export_now(qtbot, exporter, tmp_path / "out.xlsx")
    ws = sheet(path)
    assert [c.value for c in ws[3]] == header_texts(view, columns)
    assert rows == ws.max_row - 3
    if module != "register_view":  # the register exports every match; the others what the model holds
        assert rows == view.model().rowCount()
    assert rows > 0, f"{cls}.{tab}: the sample city should fill this table"
    assert ws["A1"].value == exporter.title()


def test_filters_in_words_leave_out_what_does_not_filter(qtbot):
    import datetime as dt

    from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit

    from desktop.views.kit.date_field import DateField
    from desktop.views.kit.table_export import describe_filters

    town, text, check = QComboBox(), QLineEdit(), QCheckBox("只看逾期")
    town.addItems(["全部镇街", "东城街道"])
    since, until = DateField(label="起"), DateField(label="止")
    for w in (town, text, check, since, until):
        qtbot.addWidget(w)
    items = (("镇街", town), ("搜索", text), ("", check), ("起", since), ("止", until))
    assert describe_filters(*items) == ""
    town.setCurrentIndex(1)
    text.setText(" 化工 ")
    check.setChecked(True)
    since.set_value(dt.date(2024, 3, 5))
    until.edit.setText("2024.13.1")  # not a date: no filter
    assert describe_filters(*items) == "筛选：镇街=东城街道；搜索=“化工”；只看逾期；起=2024-03-05"
