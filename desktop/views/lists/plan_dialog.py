"""治理方案备案 dialog (三(二)): file plans for the selected approved entries as one batch, or correct
one filed plan. Layout here; the rules (SOE for 收储, filing date, all-or-nothing) are plan_service's.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import Method
from desktop.services import rules, units
from desktop.services.lists import plan_service
from desktop.services.errors import UserError, ValidationError
from desktop.services.lists.list_service import EntryRow
from desktop.services.lists.plan_service import FilingResult, PlanItem, PlanRow, PlanValues, SoeChoice
from desktop.views.lists.list_dialogs import decimal_text
from desktop.views.lists.list_models import AMBER, UNCOUNTED_TIP, method_text
from desktop.views.kit.worker import show_error
from desktop.views.kit.forms import error_label, show_at

HINT_STYLE = "color: #707070;"
BAD_CELL = QColor("#F8D7DA")


@dataclass
class FilingRow:
    """A row of the dialog's table; the typed texts are kept as typed (parsed by plan_service)."""

    entry_id: int
    target: str
    list_method: Method
    list_area_mu: Decimal
    area_text: str
    cost_text: str


def parse_area(text: str) -> Decimal | None:
    return plan_service.clean_area(text)


def parse_cost(text: str) -> Decimal | None:
    return plan_service.clean_cost(text)


class PlanItemModel(QAbstractTableModel):
    """The entries of the filing; planned area and cost editable per row (a bad value is kept, red)."""

    COLUMNS = [("target", "治理对象"), ("list_method", "清单拟治理方式"), ("list_area_mu", "清单面积（亩）"),
               ("area_text", "计划面积（亩）*"), ("cost_text", "计划投资（万元）"), ("per_mu", "亩均（万元/亩）")]
    EDITABLE = ("area_text", "cost_text")
    NUMERIC = ("list_area_mu", "area_text", "cost_text", "per_mu")
    edited = Signal()

    def __init__(self, items: list[FilingRow], parent=None) -> None:
        super().__init__(parent)
        self.items = items

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section][1]
        if role == Qt.ItemDataRole.ToolTipRole and self.COLUMNS[section][0] in self.EDITABLE:
            return "双击或 F2 修改；面积可写“8000㎡”，自动换算为亩"
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.COLUMNS[index.column()][0] in self.EDITABLE:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    @staticmethod
    def problem(item: FilingRow, key: str) -> str:
        try:
            if key == "area_text":
                parse_area(item.area_text)
            elif key == "cost_text":
                parse_cost(item.cost_text)
        except ValidationError as exc:
            return exc.message
        return ""

    @staticmethod
    def per_mu(item: FilingRow) -> Decimal | None:
        try:
            return rules.cost_per_mu(parse_cost(item.cost_text), parse_area(item.area_text))
        except ValidationError:
            return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        item = self.items[index.row()]
        key = self.COLUMNS[index.column()][0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if key == "list_method":
                return method_text(item.list_method)
            if key == "list_area_mu":
                return units.fmt(item.list_area_mu, 2)
            if key == "per_mu":
                value = self.per_mu(item)
                return "" if value is None else units.fmt(value, 2)
            return getattr(item, key)
        if role == Qt.ItemDataRole.TextAlignmentRole and key in self.NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and key in self.EDITABLE:
            return QBrush(BAD_CELL) if self.problem(item, key) else QBrush(QColor("#FFFFF0"))
        if role == Qt.ItemDataRole.ToolTipRole:
            if key in self.EDITABLE:
                return self.problem(item, key) or "双击或 F2 修改"
            if key == "list_method" and item.list_method in rules.UNCOUNTED_METHODS:
                return UNCOUNTED_TIP
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        key = self.COLUMNS[index.column()][0]
        setattr(self.items[index.row()], key, str(value or "").strip())
        per_mu = self.index(index.row(), len(self.COLUMNS) - 1)
        self.dataChanged.emit(index, per_mu)
        self.edited.emit()
        return True

    def totals(self) -> tuple[Decimal, Decimal | None, Decimal]:
        """Planned area of the rows that parse; cost (None when no row has one) and the area of the
        rows with a cost (the per-亩 average is over those only)."""
        area, cost, costed_area, any_cost = Decimal(0), Decimal(0), Decimal(0), False
        for item in self.items:
            try:
                a = parse_area(item.area_text)
                c = parse_cost(item.cost_text)
            except ValidationError:
                continue
            area += a
            if c is not None:
                cost += c
                costed_area += a
                any_cost = True
        return area, (cost if any_cost else None), costed_area


class PlanDialog(QDialog):
    """File plans for `entries` (one batch) — or, with `plan`, correct that filed plan.

    Emits `filed(FilingResult)` after filing, `updated(plan_id)` after a correction."""

    filed = Signal(object)
    updated = Signal(int)

    def __init__(self, ctx, entries: list[EntryRow], soes: list[SoeChoice], params,
                 parent: QWidget | None = None, *, town: str = "", plan: PlanRow | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.plan = plan
        self._params = params  # year_service.Params of the year (the cost cap), or None
        self._saving = False
        self.setWindowTitle(f"修改治理方案 — {plan.target}" if plan else f"治理方案备案 — {town}")
        self.setModal(True)
        self.errors: dict[str, QLabel] = {}

        if plan is None:
            items = [FilingRow(e.id, e.target_name, e.method, e.planned_area_mu, decimal_text(e.planned_area_mu), "")
                     for e in entries]
        else:
            items = [FilingRow(plan.entry_id, plan.target, plan.method, plan.list_area_mu,
                               decimal_text(plan.planned_area_mu), decimal_text(plan.planned_cost_wan))]

        layout = QVBoxLayout(self)
        if plan is None:
            intro = QLabel(f"为 {len(items)} 个已审核条目备案治理方案。同批条目共用一个备案编号（保存时生成，"
                           f"如“{town}-{ctx.year}-001”）、治理方式、合作国企和备案日期。")
        else:
            intro = QLabel(f"备案编号：<b>{plan.batch_no or '—'}</b>　治理对象：<b>{plan.target}</b>")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.method = QComboBox()
        self.method.setObjectName("method")
        for m in Method:
            self.method.addItem(method_text(m) if m not in rules.UNCOUNTED_METHODS else f"{m.label}（只记录，不计入统计）",
                                m.name)
        if plan is not None:
            default = plan.method
        elif entries:  # the method most of the selected entries were listed with
            default = Counter(e.method for e in entries).most_common(1)[0][0]
        else:
            default = Method.LAND_BANKING
        self.method.setCurrentIndex(self.method.findData(default.name))
        self.method_hint = QLabel("")
        self.method_hint.setStyleSheet(HINT_STYLE)
        self.method_hint.setWordWrap(True)
        self.errors["method"] = error_label()
        form.addRow("治理方式 *", self._stack(self.method, self.method_hint, self.errors["method"]))

        self.soe = QComboBox()
        self.soe.setObjectName("soe")
        self.soe.addItem("（无）", None)
        for choice in soes:
            self.soe.addItem(choice.name, choice.id)
        if plan is not None:
            self.soe.setCurrentIndex(max(self.soe.findData(plan.soe_id), 0))
        self.soe_label = QLabel("合作市级国企")
        self.errors["soe_id"] = error_label()
        form.addRow(self.soe_label, self._stack(self.soe, self.errors["soe_id"]))

        self.filed_on = QDateEdit()
        self.filed_on.setObjectName("filed_on")
        self.filed_on.setCalendarPopup(True)
        self.filed_on.setDisplayFormat("yyyy-MM-dd")
        today = dt.date.today()
        self.filed_on.setMaximumDate(QDate(today.year, today.month, today.day))
        when = plan.filed_on if plan and plan.filed_on else today
        self.filed_on.setDate(QDate(when.year, when.month, when.day))
        self.errors["filed_on"] = error_label()
        form.addRow("备案日期 *", self._stack(self.filed_on, self.errors["filed_on"]))

        self.note = QLineEdit()
        self.note.setObjectName("note")
        if plan is not None:
            self.note.setText(plan.note)
        form.addRow("备注", self.note)
        layout.addLayout(form)

        self.model = PlanItemModel(items, self)
        self.table = QTableView()
        self.table.setObjectName("plan_items")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((220, 170, 110, 120, 130)):
            self.table.setColumnWidth(col, width)
        rows_shown = min(max(len(items), 2), 10)
        self.table.setMinimumHeight(header.sizeHint().height() + rows_shown * self.table.verticalHeader().defaultSectionSize() + 6)
        layout.addWidget(self.table)
        self.totals = QLabel("")
        self.totals.setObjectName("totals")
        self.totals.setWordWrap(True)
        self.totals.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.totals)

        self.general_error = error_label()
        self.general_error.setObjectName("general_error")
        layout.addWidget(self.general_error)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("备案" if plan is None else "保存",
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        if plan is not None and plan.loan_count:
            show_at(self.general_error, f"该方案已有 {plan.loan_count} 笔周转指标预借，不能修改。")
            self.save_button.setEnabled(False)

        self.method.currentIndexChanged.connect(self._method_changed)
        self.soe.currentIndexChanged.connect(lambda _i: show_at(self.errors["soe_id"], ""))
        self.model.edited.connect(self._update_totals)
        self.note.returnPressed.connect(self.save)
        self._method_changed()
        self.setMinimumWidth(880)
        self.method.setFocus()

    @staticmethod
    def _stack(*widgets: QWidget) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(2)
        for w in widgets:
            col.addWidget(w)
        return box

    def selected_method(self) -> Method:
        return Method[self.method.currentData()]

    def error_text(self, field: str) -> str:
        label = self.general_error if field == "general" else self.errors.get(field)
        return label.text() if label is not None and label.isVisible() else ""

    def _method_changed(self) -> None:
        show_at(self.errors["method"], "")
        method = self.selected_method()
        self.soe_label.setText("合作市级国企 *" if method is Method.LAND_BANKING else "合作市级国企")
        differing = sorted({i.list_method.label for i in self.model.items if i.list_method is not method})
        hints = []
        if method in rules.UNCOUNTED_METHODS:
            hints.append("企业自主技改只记录，不计入治理面积统计。")
        if differing:
            hints.append(f"与清单拟治理方式（{'、'.join(differing)}）不同，备案后以方案为准。")
        self.method_hint.setText("".join(hints))
        self.method_hint.setVisible(bool(hints))
        self._update_totals()

    def _update_totals(self) -> None:
        area, cost, costed_area = self.model.totals()
        text = f"合计 {len(self.model.items)} 条，计划面积 <b>{units.fmt(area, 2)}</b> 亩"
        if cost is not None:
            text += f"，计划投资 <b>{units.fmt(cost, 2)}</b> 万元"
            per_mu = rules.cost_per_mu(cost, costed_area)
            if per_mu is not None:
                text += f"，亩均 <b>{units.fmt(per_mu, 2)}</b> 万元/亩"
                if costed_area != area:
                    text += "（按已填投资的条目计）"
                if (self.selected_method() is Method.LAND_BANKING and self._params is not None
                        and rules.over_cost_cap(self._params, cost, costed_area)):
                    text += (f"<br><span style='background:{AMBER.name()};'>⚠ 高于收储成本均价上限 "
                             f"{units.fmt(self._params.landbank_cost_cap_wan_per_mu, 2)} 万元/亩"
                             "（签订收储协议时将核对）</span>")
        self.totals.setText(text)

    # Saving --------------------------------------------------------------------------------------
    def save(self) -> None:
        if self._saving:
            return
        for label in (*self.errors.values(), self.general_error):
            show_at(label, "")
        for row, item in enumerate(self.model.items):  # the service's own checks, at the cell, first
            for key in PlanItemModel.EDITABLE:
                message = PlanItemModel.problem(item, key)
                if message:
                    show_at(self.general_error, f"“{item.target}”：{message}")
                    self.table.setCurrentIndex(self.model.index(row, [k for k, _ in PlanItemModel.COLUMNS].index(key)))
                    self.table.setFocus()
                    return
        d = self.filed_on.date()
        values = PlanValues(self.selected_method(), None, None, self.soe.currentData(),
                            dt.date(d.year(), d.month(), d.day()), self.note.text())
        db = self.ctx.db
        if self.plan is None:
            items = [PlanItem(i.entry_id, i.area_text, i.cost_text) for i in self.model.items]
            fn = lambda: plan_service.file_plans(db, items, values)  # noqa: E731
        else:
            item, plan = self.model.items[0], self.plan
            values.planned_area_mu, values.planned_cost_wan = item.area_text, item.cost_text

            def fn():
                plan_service.update_plan(db, plan.id, values, expected_revision=plan.revision)
                return plan.id
        self._saving = True
        self.save_button.setEnabled(False)
        self.ctx.worker.run(fn, self._saved, self._failed)

    def _saved(self, result) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        if isinstance(result, FilingResult):
            self.filed.emit(result)
        else:
            self.updated.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        field = getattr(exc, "field", None)
        if not isinstance(exc, UserError):
            show_error(self, exc)
        elif field in self.errors:
            show_at(self.errors[field], exc.message)
            {"method": self.method, "soe_id": self.soe, "filed_on": self.filed_on}[field].setFocus()
        else:
            show_at(self.general_error, exc.message)
