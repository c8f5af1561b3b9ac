"""治理方案备案 dialog (三(二)): file plans for the selected approved entries as one batch, or correct
one filed plan. Layout here; the rules (SOE for 收储, filing date, all-or-nothing) are plan_service's.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QTableView, QWidget

from desktop.models.enums import Method
from desktop.services import rules, units
from desktop.services.errors import UserError, ValidationError
from desktop.services.lists import plan_service
from desktop.services.lists.list_service import EntryRow
from desktop.services.lists.plan_service import PlanItem, PlanRow, PlanValues, SoeChoice
from desktop.views.kit.layouts import vbox
from desktop.views.kit.date_field import DateField
from desktop.views.kit.forms import HINT_STYLE, FormDialog, error_label, plain, show_at
from desktop.views.kit.rows import AMBER, MISSING_BACKGROUND, RowsModel
from desktop.views.kit.table import edit_in_place, setup_table
from desktop.views.lists.list_models import UNCOUNTED_TIP, method_text

EDIT_TIP = "双击或 F2 修改；面积可写“8000㎡”，自动换算为亩"


@dataclass
class FilingRow:
    """A row of the dialog's table; the typed texts are kept as typed (parsed by plan_service)."""

    entry_id: int
    target: str
    list_method: Method
    list_area_mu: Decimal
    area_text: str
    cost_text: str

    @property
    def id(self) -> int:
        return self.entry_id


@dataclass
class PlanForm:
    """What the dialog hands the page: the shared values and, when filing, one item per entry."""

    values: PlanValues
    items: list[PlanItem]


def problem(item: FilingRow, key: str) -> str:
    """plan_service's refusal of a typed cell, or ""."""
    try:
        if key == "area_text":
            plan_service.clean_area(item.area_text)
        elif key == "cost_text":
            plan_service.clean_cost(item.cost_text)
    except ValidationError as exc:
        return exc.message
    return ""


def per_mu(item: FilingRow) -> Decimal | None:
    try:
        return rules.cost_per_mu(plan_service.clean_cost(item.cost_text), plan_service.clean_area(item.area_text))
    except ValidationError:
        return None


class PlanItemModel(RowsModel):
    """The entries of the filing; planned area and cost editable per row (a bad value is kept, red)."""

    COLUMNS = [("target", "治理对象"), ("list_method", "清单拟治理方式"), ("list_area_mu", "清单面积（亩）"),
               ("area_text", "计划面积（亩）*"), ("cost_text", "计划投资（万元）"), ("per_mu", "亩均（万元/亩）")]
    EDITABLE = ("area_text", "cost_text")
    NUMERIC = frozenset({"list_area_mu", "area_text", "cost_text", "per_mu"})
    edited = Signal()

    def __init__(self, items: list[FilingRow], parent=None) -> None:
        super().__init__(parent)
        self.set_rows(items)

    @property
    def items(self) -> list[FilingRow]:
        return self.rows

    def value(self, item: FilingRow, key: str):
        return per_mu(item) if key == "per_mu" else getattr(item, key)

    def display(self, item: FilingRow, key: str) -> str:
        return method_text(item.list_method) if key == "list_method" else super().display(item, key)

    def background(self, item: FilingRow, key: str) -> QColor | None:
        if key in self.EDITABLE:
            return MISSING_BACKGROUND if problem(item, key) else QColor("#FFFFF0")
        return None

    def tooltip(self, item: FilingRow, key: str) -> str | None:
        if key in self.EDITABLE:
            return problem(item, key) or EDIT_TIP
        if key == "list_method" and item.list_method in rules.UNCOUNTED_METHODS:
            return UNCOUNTED_TIP
        return None

    def flags(self, index):
        typed = index.isValid() and self.key(index.column()) in self.EDITABLE
        return super().flags(index) | (Qt.ItemFlag.ItemIsEditable if typed else Qt.ItemFlag.NoItemFlags)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.EditRole:
            role = Qt.ItemDataRole.DisplayRole
        return super().data(index, role)

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        setattr(self.rows[index.row()], self.key(index.column()), str(value or "").strip())
        self.dataChanged.emit(index, self.index(index.row(), len(self.COLUMNS) - 1))
        self.edited.emit()
        return True

    def totals(self) -> tuple[Decimal, Decimal | None, Decimal]:
        """Planned area of the rows that parse; cost (None when no row has one) and the area of the
        rows with a cost (the per-亩 average is over those only)."""
        area, cost, costed_area, any_cost = Decimal(0), Decimal(0), Decimal(0), False
        for item in self.rows:
            try:
                a, c = plan_service.clean_area(item.area_text), plan_service.clean_cost(item.cost_text)
            except ValidationError:
                continue
            area += a
            if c is not None:
                cost, costed_area, any_cost = cost + c, costed_area + a, True
        return area, (cost if any_cost else None), costed_area


class PlanDialog(FormDialog):
    """File plans for `entries` (one batch) — or, with `plan`, correct that filed plan.

    Emits `submitted(PlanForm)`; the page saves and calls `accept()` or `show_error(exc)`."""

    def __init__(self, ctx, entries: list[EntryRow], soes: list[SoeChoice], params,
                 parent: QWidget | None = None, *, town: str = "", plan: PlanRow | None = None) -> None:
        super().__init__(f"修改治理方案 — {plan.target}" if plan else f"治理方案备案 — {town}", parent,
                         ok_text="备案" if plan is None else "保存", width=880)
        self.ctx, self.plan = ctx, plan
        self._params = params  # year_service.Params of the year (the cost cap), or None
        self.setModal(True)
        if plan is None:
            items = [FilingRow(e.id, e.target_name, e.method, e.planned_area_mu, plain(e.planned_area_mu), "")
                     for e in entries]
            intro = QLabel(f"为 {len(items)} 个已审核条目备案治理方案。同批条目共用一个备案编号（保存时生成，"
                           f"如“{town}-{ctx.year}-001”）、治理方式、合作国企和备案日期。")
        else:
            items = [FilingRow(plan.entry_id, plan.target, plan.method, plan.list_area_mu,
                               plain(plan.planned_area_mu), plain(plan.planned_cost_wan))]
            intro = QLabel(f"备案编号：<b>{plan.batch_no or '—'}</b>　治理对象：<b>{plan.target}</b>")
        intro.setWordWrap(True)
        self.layout().insertWidget(0, intro)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)

        self.method = QComboBox()
        self.method.setObjectName("method")
        for m in Method:
            self.method.addItem(f"{m.label}（只记录，不计入统计）" if m in rules.UNCOUNTED_METHODS else method_text(m),
                                m.name)
        default = plan.method if plan is not None else (
            Counter(e.method for e in entries).most_common(1)[0][0] if entries else Method.LAND_BANKING)
        self.method.setCurrentIndex(self.method.findData(default.name))
        self.method_hint = QLabel("")
        self.method_hint.setStyleSheet(HINT_STYLE)
        self.method_hint.setWordWrap(True)
        self.add("method", "治理方式 *", self.method, shown=vbox(self.method, self.method_hint))
        self.soe = self.add("soe_id", "合作市级国企", QComboBox())
        self.soe.setObjectName("soe")
        self.soe.addItem("（无）", None)
        for choice in soes:
            self.soe.addItem(choice.name, choice.id)
        if plan is not None:
            self.soe.setCurrentIndex(max(self.soe.findData(plan.soe_id), 0))
        self.soe_label = self.form.labelForField(self.soe.parentWidget())
        self.filed_on = self.add("filed_on", "备案日期 *", DateField(label="备案日期", field="filed_on", year=ctx.year))
        self.filed_on.setObjectName("filed_on")
        self.filed_on.set_value(plan.filed_on if plan and plan.filed_on else ctx.ledger.today())
        self.note = self.add("note", "备注", QLineEdit())
        self.note.setObjectName("note")
        if plan is not None:
            self.note.setText(plan.note)

        self.model = PlanItemModel(items, self)
        self.table = edit_in_place(setup_table(QTableView(), sortable=False))
        self.table.setObjectName("plan_items")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        for col, width in enumerate((220, 170, 110, 120, 130)):
            self.table.setColumnWidth(col, width)
        rows_shown = min(max(len(items), 2), 10)
        row_height = self.table.verticalHeader().defaultSectionSize()
        self.table.setMinimumHeight(header.sizeHint().height() + rows_shown * row_height + 6)
        self.totals = QLabel("")
        self.totals.setObjectName("totals")
        self.totals.setWordWrap(True)
        self.totals.setTextFormat(Qt.TextFormat.RichText)
        self.general_error = error_label()
        self.general_error.setObjectName("general_error")
        for w in (self.table, self.totals, self.general_error):
            self.layout().insertWidget(self.layout().count() - 1, w)  # above 保存/取消
        why = plan_service.why_not_update(plan.loan_count) if plan is not None else None
        if why is not None:
            show_at(self.general_error, f"{why}。")
            self.ok_button.setEnabled(False)

        self.method.currentIndexChanged.connect(self._method_changed)
        self.model.edited.connect(self._update_totals)
        self._method_changed()
        self.method.setFocus()

    def selected_method(self) -> Method:
        return Method[self.method.currentData()]

    def error_text(self, field: str) -> str:
        label = self.general_error if field == "general" else self.errors.get(field)
        return label.text() if label is not None and label.isVisible() else ""

    def _method_changed(self) -> None:
        method = self.selected_method()
        if self.soe_label is not None:
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
            each = rules.cost_per_mu(cost, costed_area)
            if each is not None:
                text += f"，亩均 <b>{units.fmt(each, 2)}</b> 万元/亩"
                if costed_area != area:
                    text += "（按已填投资的条目计）"
                if (self.selected_method() is Method.LAND_BANKING and self._params is not None
                        and rules.over_cost_cap(self._params, cost, costed_area)):
                    text += (f"<br><span style='background:{AMBER.name()};'>⚠ 高于收储成本均价上限 "
                             f"{units.fmt(self._params.landbank_cost_cap_wan_per_mu, 2)} 万元/亩"
                             "（签订收储协议时将核对）</span>")
        self.totals.setText(text)

    # Saving --------------------------------------------------------------------------------------
    def values(self) -> PlanForm:
        """The shared values and the items; a bad cell is refused at the cell, naming the entry."""
        for row, item in enumerate(self.model.items):  # the service's own checks, at the cell, first
            for key in PlanItemModel.EDITABLE:
                message = problem(item, key)
                if message:
                    self.table.setCurrentIndex(self.model.index(row, self.model.column(key)))
                    self.table.setFocus()
                    raise ValidationError(f"“{item.target}”：{message}", field="items")
        values = PlanValues(self.selected_method(), None, None, self.soe.currentData(), self.filed_on.value(),
                            self.note.text())
        if self.plan is not None:
            item = self.model.items[0]
            values.planned_area_mu, values.planned_cost_wan = item.area_text, item.cost_text
        return PlanForm(values, [PlanItem(i.entry_id, i.area_text, i.cost_text) for i in self.model.items])

    def clean(self, form: PlanForm) -> PlanForm:
        plan_service.clean_common(form.values, today=self.ctx.ledger.today())  # refusals at their field
        return form

    def submit(self) -> None:
        show_at(self.general_error, "")
        if self.ok_button.isEnabled():
            super().submit()

    def show_error(self, exc: BaseException) -> None:
        """A refusal at its field; one about an entry (its area, its state) in the line above the buttons."""
        if getattr(exc, "field", None) not in self.errors and isinstance(exc, UserError):
            self.ok_button.setEnabled(True)
            show_at(self.general_error, exc.message)
            return
        super().show_error(exc)
