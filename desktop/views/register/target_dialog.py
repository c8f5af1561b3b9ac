"""Add or edit one 治理对象 (enterprise or parcel). Layout here; rules in target_service.

The credit code is checked as it is typed (GB 32100 checksum); on 保存 the service validates and a
refused field is shown in red under that field, with focus there and everything typed kept.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import Category, EvaluationClass, TargetKind, TargetState
from desktop.services import credit_code, units
from desktop.services.register import target_service
from desktop.services.errors import ValidationError
from desktop.services.register.target_service import FilterOptions, TargetDetail, TargetValues
from desktop.views.kit.worker import show_error

UNIT_MU = "亩"
UNIT_M2 = "㎡"
ERROR_STYLE = "color: #c62828;"
OK_STYLE = "color: #2e7d32;"
HINT_STYLE = "color: #757575;"
ENTERPRISE_FIELDS = ("credit_code", "legal_rep", "industry")
PARCEL_FIELDS = ("land_cert_no", "owner")


def _decimal_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


class TargetDialog(QDialog):
    """Modal form for one target. Emits `saved(target_id, values)` after the service accepted it.

    `detail` is None to add a new target (in `town_id` if given), or the target's current detail to edit
    it (kind fixed).
    """

    saved = Signal(int, object)

    def __init__(self, ctx, options: FilterOptions, evaluation_year: int, detail: TargetDetail | None = None,
                 parent: QWidget | None = None, *, town_id: int | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._options = options
        self._detail = detail
        self._year = ctx.year
        self._saving = False
        self.saved_id: int | None = None
        self.saved_values: TargetValues | None = None
        self.setWindowTitle("编辑治理对象" if detail else "新增治理对象")
        self.setModal(True)
        self._errors: dict[str, QLabel] = {}
        self._focus: dict[str, QWidget] = {}
        self._rows: dict[str, QWidget] = {}

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)

        self.kind = QComboBox()
        for k in TargetKind:
            self.kind.addItem(k.label, k.name)
        self._add("kind", "类型", self.kind)

        self.name = QLineEdit()
        self.name.setPlaceholderText("企业全称或地块名称")
        self._add("name", "名称 *", self.name)

        self.town = QComboBox()
        self.town.addItem("请选择镇街…", None)
        for tid, tname in options.towns:
            self.town.addItem(tname, tid)
        self._add("town_id", "所属镇街 *", self.town)

        self.category = QComboBox()
        for c in Category:
            self.category.addItem(c.label, c.name)
        self._add("category", "治理类别", self.category)

        self.grade = QComboBox()
        self.grade.addItem("（无）", None)
        for g in EvaluationClass:
            self.grade.addItem(f"{g.label}类", g.name)
        self._add("grade", f"{evaluation_year}年度综合评价", self.grade)

        self.park = QComboBox()
        self._add("contiguous_area_id", "连片整治片区", self.park)

        self.address = QLineEdit()
        self._add("address", "地址", self.address)

        self.legal_rep = QLineEdit()
        self._add("legal_rep", "法定代表人", self.legal_rep)

        self.code = QLineEdit()
        self.code.setPlaceholderText("18位，可小写、可含空格")
        self.code.setMaxLength(40)
        self.code_feedback = QLabel()
        self.code_feedback.setWordWrap(True)
        # Room for two lines from the start: the longest checksum message wraps once.
        self.code_feedback.setMinimumHeight(2 * self.code_feedback.fontMetrics().lineSpacing() + 2)
        self.code_override = QCheckBox("保留特殊代码（历史代码校验不通过时）")
        self._add("credit_code", "统一社会信用代码", self.code, extra=[self.code_override], error=self.code_feedback)

        self.land_area = QLineEdit()
        self.land_area.setPlaceholderText("数字")
        self.land_unit = QComboBox()
        self.land_unit.addItems([UNIT_MU, UNIT_M2])
        self.land_equiv = QLabel()
        self.land_equiv.setStyleSheet(HINT_STYLE)
        area_box = QWidget()
        area_row = QHBoxLayout(area_box)
        area_row.setContentsMargins(0, 0, 0, 0)
        area_row.addWidget(self.land_area, 1)
        area_row.addWidget(self.land_unit)
        area_row.addWidget(self.land_equiv, 1)
        self._add("land_area_mu", "占地面积", area_box, focus=self.land_area)

        self.building_area = QLineEdit()
        self.building_area.setPlaceholderText("平方米")
        self._add("building_area_m2", "建筑面积（㎡）", self.building_area)

        self.industry = QLineEdit()
        self._add("industry", "行业", self.industry)

        self.state = QComboBox()
        for st in TargetState:
            self.state.addItem(st.label, st.name)
        self._add("state", "状态", self.state)

        self.land_cert_no = QLineEdit()
        self._add("land_cert_no", "不动产权证号", self.land_cert_no)
        self.owner = QLineEdit()
        self._add("owner", "权利人", self.owner)

        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self._add("note", "备注", self.note)

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        self.save_button.setAutoDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.town.currentIndexChanged.connect(self._fill_parks)
        self.code.textChanged.connect(self._check_code)
        self.code_override.toggled.connect(self._check_code)
        self.land_area.textChanged.connect(self._show_equivalent)
        self.land_unit.currentIndexChanged.connect(self._show_equivalent)

        if detail is not None:
            self._load(detail)
        else:
            if town_id is not None:  # a new target starts in the town the register is filtered on
                self.town.setCurrentIndex(max(self.town.findData(town_id), 0))
            self._fill_parks()
        self._kind_changed()
        self._check_code()
        self._show_equivalent()
        self._initial = self._snapshot()
        self.name.setFocus()

    # Layout helpers ---------------------------------------------------------------------------
    def _add(self, field: str, label: str, widget: QWidget, *, focus: QWidget | None = None,
             extra: list[QWidget] | None = None, error: QLabel | None = None) -> None:
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(2)
        col.addWidget(widget)
        err = error or QLabel()
        err.setObjectName(f"error_{field}")
        err.setWordWrap(True)
        err.setStyleSheet(ERROR_STYLE)
        err.hide()
        col.addWidget(err)
        for w in extra or []:
            col.addWidget(w)
        self.form.addRow(label, box)
        self._errors[field] = err
        self._focus[field] = focus or widget
        self._rows[field] = box

    def error_text(self, field: str) -> str:
        """The message shown under a field ("" when none)."""
        label = self._errors[field]
        return label.text() if not label.isHidden() else ""

    def show_field_error(self, field: str, message: str) -> None:
        label = self._errors.get(field)
        if label is None:
            QMessageBox.warning(self, "提示", message)
            return
        label.setStyleSheet(ERROR_STYLE)
        label.setText(message)
        label.show()
        self._fit()
        widget = self._focus[field]
        if widget.isVisible() or not self.isVisible():
            widget.setFocus()
        if isinstance(widget, QLineEdit):
            widget.selectAll()

    def _clear_errors(self) -> None:
        for field, label in self._errors.items():
            if field != "credit_code":
                label.hide()
        self._check_code()

    # Loading ----------------------------------------------------------------------------------
    def _load(self, detail: TargetDetail) -> None:
        v = detail.values
        self.kind.setCurrentIndex(self.kind.findData(v.kind.name))
        self.kind.setEnabled(False)
        self.kind.setToolTip("类型不能更改；如登记错了，请删除后新建")
        self.name.setText(v.name)
        idx = self.town.findData(v.town_id)
        if idx < 0:  # a town not offered (e.g. inactive): keep it choosable
            self.town.addItem(detail.town, v.town_id)
            idx = self.town.count() - 1
        self.town.setCurrentIndex(idx)
        self.category.setCurrentIndex(self.category.findData(v.category.name))
        self.grade.setCurrentIndex(self.grade.findData(v.grade.name) if v.grade else 0)
        self._fill_parks()
        if v.contiguous_area_id is not None:
            idx = self.park.findData(v.contiguous_area_id)
            if idx < 0:
                self.park.addItem(detail.contiguous_area or f"#{v.contiguous_area_id}", v.contiguous_area_id)
                idx = self.park.count() - 1
            self.park.setCurrentIndex(idx)
        self.address.setText(v.address)
        self.legal_rep.setText(v.legal_rep)
        self.code.setText(v.credit_code or "")
        self.code_override.setChecked(v.credit_code_override)
        self.land_area.setText(_decimal_text(v.land_area_mu))
        self.building_area.setText(_decimal_text(v.building_area_m2))
        self.industry.setText(v.industry)
        self.state.setCurrentIndex(self.state.findData(v.state.name))
        self.land_cert_no.setText(v.land_cert_no)
        self.owner.setText(v.owner)
        self.note.setPlainText(v.note)

    def _fill_parks(self) -> None:
        """Offer only the contiguous areas of the chosen town; keep the choice when it still fits."""
        current = self.park.currentData()
        town_id = self.town.currentData()
        self.park.blockSignals(True)
        self.park.clear()
        self.park.addItem("（不在片区）", None)
        for park_id, park_name in self._options.parks:
            if town_id is not None and self._options.park_town.get(park_id) == town_id:
                self.park.addItem(park_name, park_id)
        idx = self.park.findData(current) if current is not None else 0
        self.park.setCurrentIndex(max(idx, 0))
        self.park.setEnabled(town_id is not None)
        self.park.setToolTip("" if town_id is not None else "请先选择所属镇街")
        self.park.blockSignals(False)

    def _kind_changed(self) -> None:
        parcel = self.kind.currentData() == TargetKind.PARCEL.name
        for field in ENTERPRISE_FIELDS:
            self.form.setRowVisible(self._rows[field], not parcel)
        for field in PARCEL_FIELDS:
            self.form.setRowVisible(self._rows[field], parcel)
        # 二: only enterprises have an evaluation class (and so a D class).
        self.grade.setEnabled(not parcel)
        if parcel:
            self.grade.setCurrentIndex(0)
            if self.category.currentData() == Category.D_CLASS.name:
                self.category.setCurrentIndex(self.category.findData(Category.OTHER.name))
        self.adjustSize()

    # Live feedback ----------------------------------------------------------------------------
    def _check_code(self) -> None:
        """Checksum feedback as the code is typed: green tick, grey count while incomplete, red problem."""
        norm = credit_code.normalize(self.code.text())
        label = self.code_feedback
        if not norm:
            # The line stays (with a hint) so the fields below never jump while the code is typed.
            label.setStyleSheet(HINT_STYLE)
            label.setText("18位，输入时自动校验；没有代码可留空")
            label.show()
            return
        problem = credit_code.problem(norm)
        if problem is None:
            shown = f"✓ 校验通过（将保存为 {norm}）" if norm != self.code.text() else "✓ 校验通过"
            label.setStyleSheet(OK_STYLE)
            label.setText(shown)
        else:
            typing = len(norm) < 18 and all(ch in credit_code.ALPHABET for ch in norm)
            if typing:
                label.setStyleSheet(HINT_STYLE)
                label.setText(f"已输入{len(norm)}位，共18位")
            elif self.code_override.isChecked():
                label.setStyleSheet(HINT_STYLE)
                label.setText(f"{problem}；已勾选保留特殊代码，将照原样保存")
            else:
                label.setStyleSheet(ERROR_STYLE)
                label.setText(problem)
        label.show()
        self._fit()

    def _fit(self) -> None:
        """Give every shown message the height its wrapped text needs (a dialog's layout does not ask
        wrapped labels for height-for-width, so long messages would overlap the next row)."""
        for label in self._errors.values():
            if label.isHidden():
                continue
            width = label.parentWidget().contentsRect().width()
            rect = label.fontMetrics().boundingRect(QRect(0, 0, max(width, 50), 10000),
                                                    Qt.TextFlag.TextWordWrap, label.text())
            label.setMinimumHeight(rect.height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _show_equivalent(self) -> None:
        text = self.land_area.text()
        unit = self.land_unit.currentText()
        try:
            mu = target_service.area_from_input(text, unit)
        except ValidationError:
            self.land_equiv.setText("")
            return
        if mu is None:
            self.land_equiv.setText("")
        elif unit == UNIT_M2:
            self.land_equiv.setText(f"= {units.fmt(mu, 2)} 亩")
        else:
            self.land_equiv.setText(f"= {units.fmt(units.mu_to_m2(mu), 2)} ㎡")

    # Values and saving ------------------------------------------------------------------------
    def values(self) -> TargetValues:
        """What the form says, as service values (areas parsed; raises ValidationError naming the field)."""
        kind = TargetKind[self.kind.currentData()]
        enterprise = kind == TargetKind.ENTERPRISE
        grade = self.grade.currentData()
        return TargetValues(
            kind=kind,
            name=self.name.text(),
            town_id=self.town.currentData(),
            category=Category[self.category.currentData()],
            grade=EvaluationClass[grade] if grade and enterprise else None,
            contiguous_area_id=self.park.currentData(),
            address=self.address.text(),
            land_area_mu=target_service.area_from_input(self.land_area.text(), self.land_unit.currentText()),
            state=TargetState[self.state.currentData()],
            note=self.note.toPlainText(),
            credit_code=self.code.text() if enterprise else None,
            credit_code_override=self.code_override.isChecked() if enterprise else False,
            legal_rep=self.legal_rep.text() if enterprise else "",
            building_area_m2=units.parse_decimal(self.building_area.text(), field="building_area_m2", label="建筑面积"),
            industry=self.industry.text() if enterprise else "",
            land_cert_no=self.land_cert_no.text() if not enterprise else "",
            owner=self.owner.text() if not enterprise else "",
            revision=self._detail.values.revision if self._detail else None,
        )

    def save(self) -> None:
        if self._saving:
            return
        self._clear_errors()
        try:
            values = self.values()
            target_service.clean(values)  # instant answer for what needs no database
        except ValidationError as exc:
            self.show_field_error(exc.field or "", exc.message)
            return
        self._saving = True
        self.save_button.setEnabled(False)
        db, year, detail = self.ctx.db, self._year, self._detail
        if detail is None:
            job = lambda: target_service.create(db, values, year=year)  # noqa: E731
        else:
            def job() -> int:
                target_service.update(db, detail.id, values, year=year)
                return detail.id
        self.ctx.worker.run(job, lambda target_id: self._saved(target_id, values), self._failed)

    def _saved(self, target_id: int, values: TargetValues) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.saved_id = target_id
        self.saved_values = dataclasses.replace(values, revision=None)
        super().accept()
        self.saved.emit(target_id, self.saved_values)

    def _failed(self, exc: BaseException) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError) and exc.field in self._errors:
            self.show_field_error(exc.field, exc.message)
        else:  # a refusal (changed by someone else, deleted …) or a fault: a message box, input kept
            show_error(self, exc)

    # Closing ----------------------------------------------------------------------------------
    def _snapshot(self) -> tuple:
        return (
            self.kind.currentIndex(), self.name.text(), self.town.currentIndex(), self.category.currentIndex(),
            self.grade.currentIndex(), self.park.currentIndex(), self.address.text(), self.legal_rep.text(),
            self.code.text(), self.code_override.isChecked(), self.land_area.text(), self.land_unit.currentIndex(),
            self.building_area.text(), self.industry.text(), self.state.currentIndex(), self.land_cert_no.text(),
            self.owner.text(), self.note.toPlainText(),
        )

    def is_dirty(self) -> bool:
        return self._snapshot() != self._initial

    def accept(self) -> None:  # Enter anywhere in the form means 保存
        self.save()

    def reject(self) -> None:
        if self._saving:
            return
        if self.is_dirty():
            answer = QMessageBox.question(
                self, "放弃修改", "填写的内容尚未保存，确定放弃吗？",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        super().reject()
