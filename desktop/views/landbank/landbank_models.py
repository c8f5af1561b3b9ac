"""Table models of the 收储与收购 page's tabs (政府收储, 市场化收购, 协议, 成本均价) on the kit's row
model, and the base of those tabs: lazy reloads, a remembered layout and an undo stack each."""

from __future__ import annotations

from collections import namedtuple

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QGroupBox, QHBoxLayout, QLabel, QLayout, QLineEdit, QTableView, \
    QVBoxLayout, QWidget

from desktop.views.kit.page_state import LazyRefresh
from desktop.views.kit.rows import AMBER, MISSING_BACKGROUND, MUTED, RED, RowsModel, date_text
from desktop.views.kit.attachment_widget import AttachmentPanel
from desktop.views.kit.table import Layout, reload_rows, selected_rows, setup_table
from desktop.views.kit.town_filter import sync_town_filter
from desktop.views.kit.undo import UndoKit

# Tables whose change makes the page's data stale.
RELEVANT_TABLES = {"agreement", "land_banking", "groundwork_record", "acquisition", "tax_record", "plan",
                   "list_entry", "governance_list", "town", "soe", "target", "year", "year_params", "attachment"}
# A filter combo's item (kit/town_filter.sync_town_filter reads id, name and active).
Choice = namedtuple("Choice", "id name active", defaults=(True,))


class LandBankEntryModel(RowsModel):
    """政府收储: the entries with a filed 收储 plan."""

    COLUMNS = [("town", "镇街"), ("target", "治理对象"), ("planned_area_mu", "计划面积（亩）"), ("soe", "合作国企"),
               ("state", "清单状态"), ("steps_text", "前期工作"), ("missing_steps", "未完成步骤"),
               ("cooperation_signed_on", "合作协议"), ("landbank_signed_on", "收储协议"),
               ("landbank_cost_per_mu", "收储单价（万元/亩）"), ("all_filed", "均已备案")]
    NUMERIC = {"planned_area_mu", "landbank_cost_per_mu"}

    def display(self, row, key: str) -> str:
        if key in ("cooperation_signed_on", "landbank_signed_on") and self.value(row, key) is None:
            return "未签订"
        return super().display(row, key)

    def foreground(self, row, key):
        if key == "missing_steps" and row.missing_steps:
            return RED
        if key in ("cooperation_signed_on", "landbank_signed_on") and self.value(row, key) is None:
            return MUTED
        return None


class StepModel(RowsModel):
    """The four groundwork steps of one entry, done or missing."""

    COLUMNS = [("step", "步骤"), ("done_on", "完成日期"), ("attachments", "证明材料"), ("result", "结果")]

    def display(self, row, key: str) -> str:
        if key == "done_on" and not row.done:
            return "未完成"
        if key == "attachments":
            if row.record_id is None:
                return ""
            return f"{row.attachments} 份" if row.attachments else "未上传"
        return super().display(row, key)

    def foreground(self, row, key):
        if key == "done_on" and not row.done:
            return RED
        if key == "attachments" and not row.attachments:
            return MUTED
        return None


class AgreementModel(RowsModel):
    """Agreements (the 协议 tab shows every column; the detail panes fewer)."""

    COLUMNS = [("kind", "协议类型"), ("town", "镇街"), ("soe", "市级国企"), ("target", "治理对象"),
               ("party_a", "甲方"), ("party_b", "乙方"), ("signed_on", "签订日期"), ("amount_wan", "金额（万元）"),
               ("area_mu", "面积（亩）"), ("cost_per_mu", "单价（万元/亩）"), ("filed_on", "备案日期"),
               ("over_cap_confirmed", "超限确认"), ("attachments", "扫描件")]
    NUMERIC = {"amount_wan", "area_mu", "cost_per_mu", "attachments"}

    def display(self, row, key: str) -> str:
        if key == "filed_on" and row.filed_on is None:
            return "未备案"
        if key == "attachments":
            return f"{row.attachments} 份" if row.attachments else ""
        return super().display(row, key)

    def foreground(self, row, key):
        if row.over_cap_confirmed and key in ("cost_per_mu", "over_cap_confirmed"):
            return RED
        if key == "filed_on" and row.filed_on is None:
            return MUTED
        return None

    def tooltip(self, row, key):
        if key == "filed_on" and row.filed_on is not None and getattr(row, "filed_by", None) is not None:
            approved = (f"{row.filing_approved_by}于{date_text(row.filing_approved_on)}审核同意"
                        if row.filing_approved_by else "待领导审核")
            return f"备案由{row.filed_by or '（未记录）'}录入；{approved}"
        if row.over_cap_confirmed:
            return "保存时国企×镇街年度收储成本均价超过上限，经确认后保存" + (f"：{row.note}" if row.note else "")
        return row.note or None


class ShortAgreementModel(AgreementModel):
    COLUMNS = [("kind", "协议类型"), ("party_a", "甲方"), ("party_b", "乙方"), ("signed_on", "签订日期"),
               ("amount_wan", "金额（万元）"), ("area_mu", "面积（亩）"), ("cost_per_mu", "单价（万元/亩）"),
               ("filed_on", "备案日期"), ("attachments", "扫描件")]


class AcquisitionModel(RowsModel):
    """市场化收购: the entries with a filed 收购 plan."""

    COLUMNS = [("town", "镇街"), ("target", "治理对象"), ("planned_area_mu", "面积（亩）"), ("investor", "投资方"),
               ("new_project", "新上项目"), ("stage_text", "阶段"), ("joint_review_text", "会审"),
               ("missing_months", "税收缺报（月）"), ("unpaid_wan", "欠缴（万元）"),
               ("signed_on", "收购协议签订"), ("filed_on", "收购协议备案")]
    NUMERIC = {"planned_area_mu", "missing_months", "unpaid_wan"}

    def display(self, row, key: str) -> str:
        if key in ("missing_months", "unpaid_wan") and not self.value(row, key):
            return ""
        return super().display(row, key)

    def foreground(self, row, key):
        if key == "stage_text" and row.joint_review_passed is False:
            return RED
        if key == "missing_months" and row.missing_months:
            return RED
        return None

    def background(self, row, key):
        if key == "unpaid_wan" and row.unpaid_wan > 0:
            return AMBER
        return None


class TaxMonthModel(RowsModel):
    """Monthly tax feedback of one acquisition: 缺报 months red, unpaid months amber."""

    COLUMNS = [("month", "月份"), ("due_wan", "应缴（万元）"), ("paid_wan", "已缴（万元）"), ("status", "情况"),
               ("note", "备注")]
    NUMERIC = {"due_wan", "paid_wan"}

    def display(self, row, key: str) -> str:
        if key == "month":
            return f"{row.month.year}年{row.month.month}月"
        return super().display(row, key)

    def foreground(self, row, key):
        return RED if row.missing else None

    def background(self, row, key):
        if row.missing:
            return MISSING_BACKGROUND
        if row.unpaid and key in ("paid_wan", "status"):
            return AMBER
        return None

    def tooltip(self, row, key):
        return "该月税务部门未反馈（缺报）" if row.missing else None


class PairModel(RowsModel):
    """成本均价: SOE × town pairs of the year over their 收储协议; over the cap in red."""

    COLUMNS = [("soe", "市级国企"), ("town", "镇街"), ("agreements", "收储协议（份）"),
               ("total_amount_wan", "金额合计（万元）"), ("total_area_mu", "面积合计（亩）"),
               ("average", "成本均价（万元/亩）"), ("cap", "上限（万元/亩）"), ("over", "超上限"),
               ("confirmed", "经确认超限（份）")]
    NUMERIC = {"agreements", "total_amount_wan", "total_area_mu", "average", "cap", "confirmed"}

    def display(self, row, key: str) -> str:
        if key == "cap":
            return format(row.cap.normalize(), "f")
        if key == "confirmed":
            return str(row.confirmed) if row.confirmed else ""
        return super().display(row, key)

    def foreground(self, row, key):
        return RED if row.over else None

    def background(self, row, key):
        return MISSING_BACKGROUND if row.over else None

    def bold(self, row, key) -> bool:
        return row.over and key in ("average", "over")

    def tooltip(self, row, key):
        if row.over:
            return f"成本均价 {row.average} 万元/亩，超过上限 {format(row.cap.normalize(), 'f')} 万元/亩（四(二)）"
        return None


# --- Widget helpers ------------------------------------------------------------------------------------

def fit_rows(table: QTableView, rows: int) -> None:
    """Make a short table (the four steps) exactly as tall as its rows."""
    height = table.horizontalHeader().sizeHint().height() + rows * table.verticalHeader().defaultSectionSize()
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setFixedHeight(height + 2 * table.frameWidth())


def set_widths(table: QTableView, widths: dict[str, int]) -> None:
    model: RowsModel = table.model()
    for key, width in widths.items():
        table.setColumnWidth(model.column(key), width)


def enum_box(all_text: str, enum) -> QComboBox:
    """A filter combo: “全部…” (None), then the enum's members by label."""
    box = QComboBox()
    box.addItem(all_text, None)
    for member in enum:
        box.addItem(member.label, member)
    return box


def bar(*items) -> QHBoxLayout:
    """A row of a tab: a str is a label, None the stretch, anything else a widget."""
    line = QHBoxLayout()
    for item in items:
        if item is None:
            line.addStretch(1)
        else:
            line.addWidget(QLabel(item) if isinstance(item, str) else item)
    return line


def group(title: str, *items) -> QGroupBox:
    """A titled box of widgets and layouts stacked; an item `(widget, stretch)` takes that stretch."""
    box = QGroupBox(title)
    lay = QVBoxLayout(box)
    for item in items:
        part, stretch = item if isinstance(item, tuple) else (item, 0)
        if isinstance(part, QLayout):
            lay.addLayout(part, stretch)
        else:
            lay.addWidget(part, stretch)
    return box


def show_files(panel: AttachmentPanel, title: str, object_type: str | None = None, object_id=None) -> None:
    """Point an evidence panel at an object (none: the panel is empty) under `title`."""
    panel.title.setText(title)
    if object_id is None:
        panel.set_object(None, None)
    elif (panel.object_type, panel.object_id) != (object_type, object_id):
        panel.set_object(object_type, object_id)


def show_scans(panel: AttachmentPanel, agreement, title: str | None) -> None:
    """An agreement's scans under `title`; with no agreement selected, the panel says to pick one."""
    if agreement is None:
        show_files(panel, "扫描件（请先选择协议）")
    else:
        show_files(panel, title, "agreement", agreement.id)


def first(table: QTableView):
    """The selected row's object, or None."""
    rows = selected_rows(table)
    return rows[0] if rows else None


def new_table(name: str, model: RowsModel, widths: dict[str, int], *, sortable: bool = True,
              selected=None, opened=None) -> QTableView:
    """A tab's table: the kit's set-up, its model and its first column widths; `selected()` when the
    selection changes, `opened()` on a double click."""
    table = setup_table(QTableView(), sortable=sortable, section=100)
    table.setObjectName(name)
    table.setModel(model)
    set_widths(table, widths)
    if selected is not None:
        table.selectionModel().selectionChanged.connect(lambda *_: selected())
    if opened is not None:
        table.doubleClicked.connect(lambda _i: opened())
    return table


class TabBase(LazyRefresh, QWidget):
    """A tab of the page: reloads when data it shows changes (at once if shown, else when next shown),
    remembers its layout (`remember`) and undoes its last slips (`undo`, Ctrl+Z)."""

    relevant_tables = frozenset(RELEVANT_TABLES)

    def __init__(self, ctx) -> None:
        super().__init__()
        self.ctx = ctx
        self.agreement_dialog = None
        self.layout_state: Layout | None = None
        self.undo = UndoKit(self)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.year_changed.connect(lambda _y: self._refresh_if_visible())

    def remember(self, **parts) -> None:
        """Restore the tables' headers and the splitters now; `save_layout` keeps them under landbank/<name>."""
        self.layout_state = Layout(self.ctx.settings, "landbank", {
            name: part.horizontalHeader() if isinstance(part, QTableView) else part for name, part in parts.items()})

    def refresh_on(self, *filters) -> None:
        """Reload when a filter changes: a combo's choice, a box's text, a check box."""
        for w in filters:
            signal = {QComboBox: "currentIndexChanged", QLineEdit: "textChanged", QCheckBox: "toggled"}[type(w)]
            getattr(w, signal).connect(lambda *_: self.refresh())

    def save_layout(self) -> None:
        if self.layout_state is not None:
            self.layout_state.save()

    # An entries tab (政府收储, 市场化收购): `table` of entries, `town_filter`, `count_label`, and per tab
    # `count_text(rows)`, `load_detail(row)` and `show_detail(None)`.
    def _loaded(self, result) -> None:
        rows, towns = result
        sync_town_filter(self.town_filter, towns)
        reload_rows(self.table, rows)
        self.count_label.setText(self.count_text(rows))
        self._entry_selected()

    def _entry_selected(self) -> None:
        row = first(self.table)
        if row is None:
            self.show_detail(None)
        else:
            self.load_detail(row)

    def refresh(self) -> None:  # pragma: no cover - each tab has its own
        raise NotImplementedError
