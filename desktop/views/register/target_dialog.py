"""Add or edit one 治理对象 (enterprise or parcel). Layout here; rules in target_service.

The credit code is checked as it is typed (GB 32100 checksum); on 保存 the service validates and a
refused field is shown in red under that field, with focus there and everything typed kept. A D类低效
object without its class D in the evaluation year is named before it is saved.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
                               QPlainTextEdit, QWidget)

from desktop.models.enums import Category, EvaluationClass, TargetKind, TargetState
from desktop.services import credit_code, units
from desktop.services.errors import ValidationError
from desktop.services.register import target_service
from desktop.services.register.target_service import FilterOptions, TargetDetail, TargetValues
from desktop.views.kit.forms import ERROR_STYLE, HINT_STYLE, FormDialog, plain

UNIT_MU = "亩"
UNIT_M2 = "㎡"
OK_STYLE = "color: #2e7d32;"
ENTERPRISE_FIELDS = ("credit_code", "credit_code_override", "legal_rep", "industry")
PARCEL_FIELDS = ("land_cert_no", "owner")


class TargetDialog(FormDialog):
    """Form for one target. Emits `submitted(values)` (cleaned); the page saves through the op bridge
    and calls `accept()` or `show_error(exc)`.

    `detail` is None to add a new target (in `town_id` if given), or the target's current detail to edit
    it (kind fixed).
    """

    def __init__(self, options: FilterOptions, evaluation_year: int, detail: TargetDetail | None = None,
                 parent: QWidget | None = None, *, town_id: int | None = None) -> None:
        super().__init__("编辑治理对象" if detail else "新增治理对象", parent, width=560)
        self.setModal(True)
        self._options = options
        self._detail = detail
        self.evaluation_year = evaluation_year
        self._rows: dict[str, QWidget] = {}
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self._build()

        # The code's checks come after the kit's "edited: clear the red line" (connected in add), so the
        # checksum line stays.
        for signal, slot in ((self.kind.currentIndexChanged, self._kind_changed),
                             (self.town.currentIndexChanged, self._fill_parks),
                             (self.code.textEdited, self._check_code), (self.code.textChanged, self._check_code),
                             (self.code_override.toggled, self._check_code),
                             (self.land_area.textChanged, self._show_equivalent),
                             (self.land_unit.currentIndexChanged, self._show_equivalent)):
            signal.connect(slot)

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

    # Layout ---------------------------------------------------------------------------------
    def _field(self, key: str, label: str, widget: QWidget, shown: QWidget | None = None):
        self.add(key, label, widget, shown=shown)
        self._rows[key] = (shown or widget).parentWidget()  # the form row's field, to show or hide it
        return widget

    @staticmethod
    def _combo(items) -> QComboBox:
        combo = QComboBox()
        for text, data in items:
            combo.addItem(text, data)
        return combo

    def _build(self) -> None:
        self.kind = self._field("kind", "类型", self._combo((k.label, k.name) for k in TargetKind))
        self.name = self._field("name", "名称 *", QLineEdit())
        self.name.setPlaceholderText("企业全称或地块名称")
        self.town = self._field("town_id", "所属镇街 *", self._combo(
            [("请选择镇街…", None), *((name, tid) for tid, name in self._options.towns)]))
        self.category = self._field("category", "治理类别", self._combo((c.label, c.name) for c in Category))
        self.grade = self._field("grade", f"{self.evaluation_year}年度综合评价", self._combo(
            [("（无）", None), *((f"{g.label}类", g.name) for g in EvaluationClass)]))
        self.park = self._field("contiguous_area_id", "连片整治片区", QComboBox())
        self.address = self._field("address", "地址", QLineEdit())
        self.legal_rep = self._field("legal_rep", "法定代表人", QLineEdit())

        self.code = self._field("credit_code", "统一社会信用代码", QLineEdit())
        self.code.setPlaceholderText("18位，可小写、可含空格")
        self.code.setMaxLength(40)
        self.code_feedback = self.errors["credit_code"]  # the checksum as typed, then any refusal
        # Room for two lines from the start: the longest checksum message wraps once.
        self.code_feedback.setMinimumHeight(2 * self.code_feedback.fontMetrics().lineSpacing() + 2)
        self.code_override = self._field("credit_code_override", "", QCheckBox("保留特殊代码（历史代码校验不通过时）"))

        self.land_area = QLineEdit()
        self.land_area.setPlaceholderText("数字")
        self.land_unit = self._combo((u, u) for u in (UNIT_MU, UNIT_M2))
        self.land_equiv = QLabel()
        self.land_equiv.setStyleSheet(HINT_STYLE)
        area_box = QWidget()
        area_row = QHBoxLayout(area_box)
        area_row.setContentsMargins(0, 0, 0, 0)
        for widget, stretch in ((self.land_area, 1), (self.land_unit, 0), (self.land_equiv, 1)):
            area_row.addWidget(widget, stretch)
        self._field("land_area_mu", "占地面积", self.land_area, shown=area_box)

        self.building_area = self._field("building_area_m2", "建筑面积（㎡）", QLineEdit())
        self.building_area.setPlaceholderText("平方米")
        self.industry = self._field("industry", "行业", QLineEdit())
        self.state = self._field("state", "状态", self._combo((s.label, s.name) for s in TargetState))
        self.land_cert_no = self._field("land_cert_no", "不动产权证号", QLineEdit())
        self.owner = self._field("owner", "权利人", QLineEdit())
        self.note = self._field("note", "备注", QPlainTextEdit())
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)

    # Errors ---------------------------------------------------------------------------------
    def error_text(self, field: str) -> str:
        """The message shown under a field ("" when none)."""
        label = self.errors[field]
        return label.text() if not label.isHidden() else ""

    def show_error(self, exc: BaseException) -> None:
        if getattr(exc, "field", None) == "credit_code":
            self.code_feedback.setStyleSheet(ERROR_STYLE)
        super().show_error(exc)
        self._fit()
        widget = self.focus_of.get(getattr(exc, "field", None))
        if isinstance(widget, QLineEdit) and widget.hasFocus():
            widget.selectAll()

    def clear_errors(self) -> None:
        super().clear_errors()
        self._check_code()

    # Loading --------------------------------------------------------------------------------
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
        for edit, text in ((self.address, v.address), (self.legal_rep, v.legal_rep), (self.code, v.credit_code or ""),
                           (self.land_area, plain(v.land_area_mu)), (self.building_area, plain(v.building_area_m2)),
                           (self.industry, v.industry), (self.land_cert_no, v.land_cert_no), (self.owner, v.owner)):
            edit.setText(text)
        self.code_override.setChecked(v.credit_code_override)
        self.state.setCurrentIndex(self.state.findData(v.state.name))
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

    # Live feedback --------------------------------------------------------------------------
    def _check_code(self) -> None:
        """Checksum feedback as the code is typed: green tick, grey count while incomplete, red problem."""
        norm = credit_code.normalize(self.code.text())
        label = self.code_feedback
        if not norm:
            # The line stays (with a hint) so the fields below never jump while the code is typed.
            label.setStyleSheet(HINT_STYLE)
            label.setText("18位，输入时自动校验；没有代码可留空")
        elif (problem := credit_code.problem(norm)) is None:
            label.setStyleSheet(OK_STYLE)
            label.setText(f"✓ 校验通过（将保存为 {norm}）" if norm != self.code.text() else "✓ 校验通过")
        elif len(norm) < 18 and all(ch in credit_code.ALPHABET for ch in norm):
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
        for label in self.errors.values():
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
        unit = self.land_unit.currentText()
        try:
            mu = target_service.area_from_input(self.land_area.text(), unit)
        except ValidationError:
            mu = None
        if mu is None:
            self.land_equiv.setText("")
        elif unit == UNIT_M2:
            self.land_equiv.setText(f"= {units.fmt(mu, 2)} 亩")
        else:
            self.land_equiv.setText(f"= {units.fmt(units.mu_to_m2(mu), 2)} ㎡")

    # Values ---------------------------------------------------------------------------------
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

    def clean(self, values: TargetValues) -> TargetValues:
        """The service's checks, then (二(一)) ask before saving a D类低效 object with no D evaluation."""
        values = target_service.clean(values)
        warning = target_service.class_warning(values, self.evaluation_year)
        if warning is not None:
            answer = QMessageBox.question(
                self, "缺少D类评价", f"{warning}\n\n仍要保存吗？",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                raise ValidationError(f"未保存：D类低效对象应有{self.evaluation_year}年度综合评价D类", field="grade")
        return values

    # Closing --------------------------------------------------------------------------------
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

    def reject(self) -> None:
        if not self.ok_button.isEnabled():
            return  # saving: the answer is on its way
        if self.is_dirty():
            answer = QMessageBox.question(
                self, "放弃修改", "填写的内容尚未保存，确定放弃吗？",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        super().reject()
