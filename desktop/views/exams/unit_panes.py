"""The chosen unit's panes on the 初检 tab: its 体检问题清单 (issues, the day handed over, contact; 打印问题清单),
its findings in the 12 check areas, and its reports (stamped written report with the preliminary opinion and
its scan, rectification progress, final result). Typed text survives a reload and a refused save."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QGroupBox, QHBoxLayout, QLineEdit, QMessageBox, QPlainTextEdit,
                               QVBoxLayout, QWidget)

from desktop.models.enums import ExamArea
from desktop.services.exams import exam_issues, exam_pdf
from desktop.services.exams.exam_deadlines import DUTY_TERMS
from desktop.services.exams.exam_issues import IssueInput, IssueListData, IssueRowData
from desktop.services.exams.exam_service import ExamDetail, UnitRow
from desktop.views.exams.case_kit import Gate, Refill, first, open_dialog, open_selected
from desktop.views.exams.exam_dialogs import RecordDialog, text_box
from desktop.views.kit.attachment_widget import AttachmentPanel
from desktop.views.kit.date_field import DateField
from desktop.views.kit.forms import FieldForm, FormDialog
from desktop.views.kit.layouts import hbox, hint_label, table_view
from desktop.views.kit.ops import forget, query, write
from desktop.views.kit.print_preview import add_print_action
from desktop.views.kit.rows import RED, RowsModel, date_text
from desktop.views.kit.table import ActionBar, needs_one, selected_rows
from desktop.views.kit.undo import Step
from desktop.views.kit.widgets import button, splitter
from desktop.views.exams.exam_models import OVERDUE_BACKGROUND

PICK_UNIT = "请先在左侧选择参与单位"


class Pane(QWidget):
    """A pane about one unit of the case on view; `gate` enables its buttons in the stages that allow 初检."""

    def __init__(self, tab) -> None:
        super().__init__()
        self.tab = tab
        self.ctx = tab.ctx
        self.detail: ExamDetail | None = None
        self.unit: UnitRow | None = None
        self.gate = Gate(self)

    @property
    def undo(self):
        return self.tab.case.undo

    def show_unit(self, detail: ExamDetail | None, unit: UnitRow | None) -> None:
        same = unit is not None and self.unit is not None and unit.id == self.unit.id
        self.detail, self.unit = detail, unit
        self.gate.update(detail.stage if detail is not None and unit is not None else None)
        self.load(same)

    def load(self, same: bool) -> None:  # pragma: no cover - each pane has its own
        raise NotImplementedError

    def layout_parts(self) -> dict:
        return {}


# 问题清单 ---------------------------------------------------------------------------------------------

def to_input(i: IssueRowData) -> IssueInput:
    return IssueInput(i.area, i.description, i.basis, i.requirement, i.deadline, i.rectified_on)


class IssueModel(RowsModel):
    COLUMNS = [("seq", "序号"), ("area", "检查类别"), ("description", "问题描述"), ("basis", "依据"),
               ("requirement", "整改要求"), ("deadline", "整改期限"), ("rectified_on", "整改完成")]
    NUMERIC = {"seq"}

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.today: dt.date | None = None

    def late(self, r: IssueRowData) -> bool:
        return (r.rectified_on is None and r.deadline is not None and self.today is not None
                and r.deadline < self.today)

    def display(self, r, key: str) -> str:
        if key == "deadline" and self.late(r):
            return f"{date_text(r.deadline)}（逾期）"
        return super().display(r, key)

    def foreground(self, r, key: str):
        return RED if key == "deadline" and self.late(r) else None

    def background(self, r, key: str):
        return OVERDUE_BACKGROUND if key == "deadline" and self.late(r) else None

    def tooltip(self, r, key: str):
        return getattr(r, key) if key in ("description", "basis", "requirement") else None


class IssueDialog(FormDialog):
    """One issue of the list. Emits `submitted(IssueInput)`."""

    def __init__(self, issue: IssueRowData | None, parent=None, *, year: int) -> None:
        super().__init__("修改问题" if issue else "添加问题", parent, width=560)
        self.area_combo = self.add("area", "检查类别 *", QComboBox())
        for area in ExamArea:
            self.area_combo.addItem(area.label, area)
        self.area_combo.setCurrentIndex(-1)
        self.description_edit = self.add("description", "问题描述 *", text_box(3))
        self.basis_edit = self.add("basis", "依据", text_box(2))
        self.requirement_edit = self.add("requirement", "整改要求", text_box(2))
        self.deadline_edit = self.add("deadline", "整改期限", DateField(label="整改期限", field="deadline", year=year))
        self.rectified_edit = self.add("rectified_on", "整改完成日期",
                                       DateField(label="整改完成日期", field="rectified_on", year=year))
        if issue is not None:
            self.area_combo.setCurrentIndex(self.area_combo.findData(issue.area))
            self.description_edit.setPlainText(issue.description)
            self.basis_edit.setPlainText(issue.basis)
            self.requirement_edit.setPlainText(issue.requirement)
            self.deadline_edit.set_value(issue.deadline)
            self.rectified_edit.set_value(issue.rectified_on)

    def values(self) -> IssueInput:
        from desktop.services.errors import ValidationError

        if self.area_combo.currentData() is None:
            raise ValidationError("请选择检查类别", field="area")
        if not self.description_edit.toPlainText().strip():
            raise ValidationError("问题描述不能为空", field="description")
        return IssueInput(self.area_combo.currentData(), self.description_edit.toPlainText(),
                          self.basis_edit.toPlainText(), self.requirement_edit.toPlainText(),
                          self.deadline_edit.value(), self.rectified_edit.value())


class IssuesPane(Pane):
    def __init__(self, tab) -> None:
        super().__init__(tab)
        self.data: IssueListData | None = None
        self.dialog = None
        year = self.ctx.year
        self.head = FieldForm("保存清单信息")
        self.issued_edit = self.head.add("issued_on", "送达企业日期",
                                         DateField(label="清单送达企业日期", field="issued_on", year=year))
        self.contact_edit = self.head.add("contact_name", "联系人", QLineEdit())
        self.phone_edit = self.head.add("contact_phone", "联系电话", QLineEdit())
        self.due_hint = hint_label("")
        self.head.form.addRow("", self.due_hint)
        self.head.ok_button.clicked.connect(self.save_head)
        self.head_refill = Refill(self.issued_edit, self.contact_edit, self.phone_edit)
        self.gate.add(self.head.ok_button, "initial", extra=self._why_no_unit)

        self.model = IssueModel(self)
        self.table = table_view(self.model, "issue_table", (40, 76, 200, 120, 140, 130, 90), sortable=False)
        self.table.doubleClicked.connect(lambda _i: self.edit_issue())
        self.actions = ActionBar(self.table, self)
        self.add_button = self.actions.add("添加问题…", lambda: self.open_issue(None),
                                           when=lambda _r: self._why_no_unit())
        self.edit_button = self.actions.add("修改…", self.edit_issue, when=needs_one)
        self.delete_button = self.actions.add("删除", self.delete_issue, when=needs_one)
        self.rectified_button = self.actions.add("登记整改完成…", self.mark_rectified, when=needs_one,
                                                 tip="企业完成整改的日期；其整改期限即告完成")
        for b in (self.add_button, self.edit_button, self.delete_button, self.rectified_button):
            self.gate.add(b, "initial")
        self.print_button = add_print_action(
            self, exam_pdf.issue_list_pdf, lambda: (self.detail.id, self.unit.department_id),
            title=lambda: f"体检问题清单（{self.detail.enterprise}，{self.unit.department}）",
            settings_key="exam_issue_list", button_text="打印问题清单…")
        self.head.form.addRow("", hbox(self.head.ok_button, 1))
        box = QVBoxLayout(self)
        issues = QVBoxLayout()
        issues.addWidget(hbox(self.add_button, self.edit_button, self.delete_button, self.rectified_button, 1,
                              self.print_button))
        issues.addWidget(self.table, 1)
        head = QVBoxLayout()
        head.addWidget(self.head)
        head.addStretch(1)
        row = QHBoxLayout()
        row.addLayout(issues, 3)
        row.addLayout(head, 1)
        box.addLayout(row)

    def layout_parts(self) -> dict:
        return {"issue_header": self.table.horizontalHeader()}

    def _why_no_unit(self) -> str | None:
        return PICK_UNIT if self.unit is None else None

    def load(self, same: bool) -> None:
        if self.unit is None:
            forget(self, "list")
            self.data = None
            self.model.set_rows([])
            self.due_hint.setText("")
            self.actions.update()
            self._print_state()
            return
        query(self, "list", exam_issues.issue_list, self.unit.id, done=lambda data: self._loaded(data, same))

    def _loaded(self, data: IssueListData, same: bool) -> None:
        self.data = data
        self.model.today = self.ctx.ledger.today()
        self.model.set_rows(data.issues)
        if not same:
            self.head.clear_errors()
        self.head_refill(data.unit_id, lambda: (self.issued_edit.set_value(data.issued_on),
                                                self.contact_edit.setText(data.contact_name),
                                                self.phone_edit.setText(data.contact_phone)))
        due = next((d for d in self.unit.duties if d.kind == "体检问题清单"), None)
        self.due_hint.setText("" if due is None or due.due_date is None else
                              f"应于 {date_text(due.due_date)} 前送达（{due.term}）：{due.status_label}")
        self.due_hint.setStyleSheet("color: #c0392b;" if due is not None and due.overdue else "color: #707070;")
        self.actions.update()
        self.gate.update(self.detail.stage if self.detail else None)
        self._print_state()

    def _print_state(self) -> None:
        why = PICK_UNIT if self.unit is None else (None if self.data is not None and self.data.issues
                                                   else "本单位的问题清单尚无问题")
        self.print_button.setEnabled(why is None)
        self.print_button.setToolTip(why or "按公文格式（GB/T 9704）打印预览、打印或另存为PDF：交企业的体检问题清单")

    # Saving: every change writes the whole list (the service replaces its issues in one transaction)
    def _save(self, issues: list[IssueInput], text: str, *, issued_on=None, contact=None, dialog=None,
              form=None) -> None:
        data, unit = self.data, self.unit
        if data is None or unit is None:
            return
        before = dict(issued_on=data.issued_on, contact_name=data.contact_name, contact_phone=data.contact_phone,
                      issues=[to_input(i) for i in data.issues])
        after = dict(before, issues=issues)
        if issued_on is not None:
            after.update(issued_on=issued_on[0], contact_name=contact[0], contact_phone=contact[1])
        owner = dialog or self
        failed = dialog.show_error if dialog is not None else (form.show_error if form is not None else None)

        def saved(_list_id) -> None:
            if dialog is not None:
                dialog.accept()
            self.undo.push(f"{text}（{unit.department}）", undo=Step(exam_issues.save_issue_list, unit.id, **before),
                           redo=Step(exam_issues.save_issue_list, unit.id, **after))

        write(owner, exam_issues.save_issue_list, unit.id, failed=failed, done=saved, **after)

    def save_head(self) -> None:
        if self.data is None or not self.head.dates_ok():
            return
        self._save([to_input(i) for i in self.data.issues], "修改问题清单信息", form=self.head,
                   issued_on=(self.issued_edit.value(),),
                   contact=(self.contact_edit.text(), self.phone_edit.text()))

    def open_issue(self, issue: IssueRowData | None) -> None:
        if self.data is None or self.dialog is not None:
            return
        dialog = IssueDialog(issue, self, year=self.ctx.year)
        rows = list(self.data.issues)

        def submitted(value: IssueInput) -> None:
            issues = [to_input(i) for i in rows]
            if issue is None:
                issues.append(value)
            else:
                issues[rows.index(issue)] = value
            self._save(issues, "添加问题" if issue is None else f"修改第 {issue.seq} 项问题", dialog=dialog)

        open_dialog(self, dialog, submitted)

    def edit_issue(self) -> None:
        open_selected(self.table, self.edit_button, self.open_issue)

    def mark_rectified(self) -> None:
        issue, unit = first(self.table), self.unit
        if issue is None or unit is None or self.dialog is not None:
            return
        dialog = RecordDialog(f"登记整改完成：第 {issue.seq} 项（{issue.area.label}）", [
            ("rectified_on", "整改完成日期", DateField(label="整改完成日期", field="rectified_on", year=self.ctx.year))],
            self, note="清空日期即撤销整改完成的登记。")
        dialog.focus_of["rectified_on"].set_value(issue.rectified_on or None)

        def save(values: dict) -> None:
            on = values["rectified_on"]
            write(dialog, exam_issues.set_rectified, issue.id, on, failed=dialog.show_error,
                  done=lambda _r: (dialog.accept(), self.undo.push(
                      f"登记第 {issue.seq} 项整改完成（{unit.department}）",
                      undo=Step(exam_issues.set_rectified, issue.id, issue.rectified_on),
                      redo=Step(exam_issues.set_rectified, issue.id, on))))

        open_dialog(self, dialog, save)

    def delete_issue(self) -> None:
        rows = selected_rows(self.table)
        if len(rows) != 1 or self.data is None:
            return
        issue = rows[0]
        if QMessageBox.question(self, "删除问题", f"确定删除第 {issue.seq} 项问题（{issue.area.label}）？") \
                == QMessageBox.StandardButton.Yes:
            self._save([to_input(i) for i in self.data.issues if i.id != issue.id], f"删除第 {issue.seq} 项问题")


# 检查情况 -------------------------------------------------------------------------------------------

class FindingModel(RowsModel):
    COLUMNS = [("area", "检查类别"), ("text", "检查情况")]

    def display(self, r, key: str) -> str:
        if key == "text":
            first = r.text.strip().splitlines()[0] if r.text.strip() else ""
            return first or "（未填写）"
        return super().display(r, key)

    def foreground(self, r, key: str):
        from desktop.views.kit.rows import MUTED

        return MUTED if key == "text" and not r.text.strip() else None


class _Finding:
    __slots__ = ("id", "area", "text")

    def __init__(self, area: ExamArea, text: str) -> None:
        self.id, self.area, self.text = area.name, area, text


class FindingsPane(Pane):
    """The 12 areas: a table of what was found, the chosen area's text below; 保存 writes all twelve."""

    def __init__(self, tab) -> None:
        super().__init__(tab)
        self.saved: dict[ExamArea, str] = {}
        self.rows = [_Finding(a, "") for a in ExamArea]
        self.model = FindingModel(self)
        self.model.set_rows(self.rows)
        self.table = table_view(self.model, "finding_table", (90,), sortable=False)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._area_selected())
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("finding_editor")
        self.editor.setPlaceholderText("选择左侧的检查类别，在此填写检查发现的情况（未发现问题的写“未发现问题”）")
        self.editor.textChanged.connect(self._typed)
        self.save_button = button("保存检查情况", self.save)
        self.gate.add(self.save_button, "initial", extra=lambda: PICK_UNIT if self.unit is None else None)
        self.status = hint_label("")
        right = QGroupBox("检查情况")
        rl = QVBoxLayout(right)
        rl.addWidget(self.editor, 1)
        rl.addWidget(hbox(self.save_button, (self.status, 1)))
        self.splitter = splitter(Qt.Orientation.Horizontal, (self.table, 2), (right, 3))
        QVBoxLayout(self).addWidget(self.splitter)
        self.table.selectRow(0)

    def layout_parts(self) -> dict:
        return {"finding_splitter": self.splitter}

    def pending(self) -> dict[ExamArea, str]:
        return {r.area: r.text for r in self.rows}

    def dirty(self) -> bool:
        return any(r.text != self.saved.get(r.area, "") for r in self.rows)

    def load(self, same: bool) -> None:
        if self.unit is None:
            forget(self, "findings")
            self.saved = {}
            self._show({a: "" for a in ExamArea})
            return
        query(self, "findings", exam_issues.findings, self.unit.id, done=lambda f: self._loaded(f, same))

    def _loaded(self, found: dict[ExamArea, str], same: bool) -> None:
        keep = self.pending() if same and self.dirty() else {}
        old = self.saved
        self.saved = dict(found)
        # Areas the clerk has typed into and not saved keep the typed text.
        self._show({a: keep[a] if a in keep and keep[a] != old.get(a, "") else found.get(a, "") for a in ExamArea})

    def _show(self, texts: dict[ExamArea, str]) -> None:
        for r in self.rows:
            r.text = texts.get(r.area, "")
        self.model.layoutChanged.emit()
        self._area_selected()
        self._status()

    def current(self) -> _Finding | None:
        return first(self.table)

    def _area_selected(self) -> None:
        r = self.current()
        self.editor.blockSignals(True)
        self.editor.setPlainText(r.text if r else "")
        self.editor.blockSignals(False)
        self.editor.setEnabled(r is not None and self.save_button.isEnabled())

    def _typed(self) -> None:
        r = self.current()
        if r is not None:
            r.text = self.editor.toPlainText()
            self.model.layoutChanged.emit()
            self._status()

    def _status(self) -> None:
        filled = sum(1 for r in self.rows if r.text.strip())
        self.status.setText(f"已填写 {filled} / {len(self.rows)} 类" + ("；有未保存的修改" if self.dirty() else ""))

    def save(self) -> None:
        if self.unit is None:
            return
        unit, before, after = self.unit, dict(self.saved), self.pending()
        before = {a: before.get(a, "") for a in ExamArea}
        write(self, exam_issues.set_findings, unit.id, after, done=lambda _r: self.undo.push(
            f"修改检查情况（{unit.department}）", undo=Step(exam_issues.set_findings, unit.id, before),
            redo=Step(exam_issues.set_findings, unit.id, after)))


# 报告与最终结果 --------------------------------------------------------------------------------------

class ReportsPane(Pane):
    def __init__(self, tab) -> None:
        super().__init__(tab)
        year = self.ctx.year
        self.report_form = FieldForm("保存书面报告")
        self.report_date = self.report_form.add("submitted_on", "书面报告日期",
                                                DateField(label="书面报告日期", field="submitted_on", year=year))
        self.opinion_edit = self.report_form.add("opinion", "初步处置意见", text_box(3))
        self.report_hint = hint_label("")
        self.report_form.form.addRow("", self.report_hint)
        self.report_form.form.addRow("", hbox(self.report_form.ok_button, 1))
        self.report_form.ok_button.clicked.connect(self.save_report)
        self.scans = AttachmentPanel(self.ctx, "盖章书面报告扫描件")

        self.progress_form = FieldForm("保存整改进展")
        self.progress_date = self.progress_form.add("reported_on", "整改进展报送日期",
                                                    DateField(label="整改进展报送日期", field="reported_on", year=year))
        self.progress_hint = hint_label("")
        self.progress_form.form.addRow("", self.progress_hint)
        self.progress_form.form.addRow("", hbox(self.progress_form.ok_button, 1))
        self.progress_form.ok_button.clicked.connect(self.save_progress)

        self.final_form = FieldForm("保存最终结果")
        self.final_date = self.final_form.add("reported_on", "最终结果报送日期",
                                              DateField(label="最终结果报送日期", field="reported_on", year=year))
        self.final_edit = self.final_form.add("result", "最终结果", text_box(2))
        self.final_form.form.addRow("", hbox(self.final_form.ok_button, 1))
        self.final_form.ok_button.clicked.connect(self.save_final)
        self.report_refill = Refill(self.report_date, self.opinion_edit)
        self.progress_refill = Refill(self.progress_date)
        self.final_refill = Refill(self.final_date, self.final_edit)
        for form in (self.report_form, self.progress_form, self.final_form):
            self.gate.add(form.ok_button, "initial", extra=lambda: PICK_UNIT if self.unit is None else None)

        report_box = QGroupBox("检查情况和初步处置意见（书面，加盖公章）")
        rl = QVBoxLayout(report_box)
        rl.addWidget(self.report_form)
        rl.addWidget(self.scans, 1)
        later = QGroupBox("整改进展与最终结果")
        ll = QVBoxLayout(later)
        ll.addWidget(self.progress_form)
        ll.addWidget(self.final_form)
        ll.addStretch(1)
        self.splitter = splitter(Qt.Orientation.Horizontal, (report_box, 1), (later, 1))
        QVBoxLayout(self).addWidget(self.splitter)

    def layout_parts(self) -> dict:
        return {"report_splitter": self.splitter}

    def load(self, same: bool) -> None:
        u = self.unit
        if u is None:
            self.scans.set_object(None, None)
        elif (self.scans.object_type, self.scans.object_id) != (exam_issues.REPORT_SCAN, u.id):
            self.scans.set_object(exam_issues.REPORT_SCAN, u.id)
        else:
            self.scans.refresh()
        key = u.id if u is not None else None
        if not same:
            for form in (self.report_form, self.progress_form, self.final_form):
                form.clear_errors()
        for refill, fill in ((self.report_refill, self._fill_report), (self.progress_refill, self._fill_progress),
                             (self.final_refill, self._fill_final)):
            refill(key, lambda f=fill: f(u))
        self._hint(self.report_hint, u, "体检书面报告")
        self._hint(self.progress_hint, u, "整改进展报告")

    def _fill_report(self, u: UnitRow | None) -> None:
        self.report_date.set_value(u.report_submitted_on if u else None)
        self.opinion_edit.setPlainText(u.preliminary_opinion if u else "")

    def _fill_progress(self, u: UnitRow | None) -> None:
        self.progress_date.set_value(u.progress_reported_on if u else None)

    def _fill_final(self, u: UnitRow | None) -> None:
        self.final_date.set_value(u.final_reported_on if u else None)
        self.final_edit.setPlainText(u.final_result if u else "")

    @staticmethod
    def _hint(label, u: UnitRow | None, kind: str) -> None:
        due = next((d for d in u.duties if d.kind == kind), None) if u is not None else None
        if due is None or due.due_date is None:
            label.setText(f"期限：{due.term if due is not None else DUTY_TERMS[kind]}" if u is not None else "")
            label.setStyleSheet("color: #707070;")
            return
        label.setText(f"应于 {date_text(due.due_date)} 前报送（{due.term}）：{due.status_label}")
        label.setStyleSheet("color: #c0392b;" if due.overdue else "color: #707070;")

    def save_report(self) -> None:
        if self.unit is not None and self.report_form.dates_ok():
            write(self, exam_issues.record_report, self.unit.id, submitted_on=self.report_date.value(),
                  opinion=self.opinion_edit.toPlainText(), failed=self.report_form.show_error)

    def save_progress(self) -> None:
        if self.unit is not None and self.progress_form.dates_ok():
            write(self, exam_issues.record_progress, self.unit.id, self.progress_date.value(),
                  failed=self.progress_form.show_error)

    def save_final(self) -> None:
        if self.unit is not None and self.final_form.dates_ok():
            write(self, exam_issues.record_final, self.unit.id, reported_on=self.final_date.value(),
                  result=self.final_edit.toPlainText(), failed=self.final_form.show_error)
