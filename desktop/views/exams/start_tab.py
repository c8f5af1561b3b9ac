"""启动 tab (附件2 (1)): the town's proposal (date, reason), the related parties, the start date, the 一企一策
plan (procedure, methods, content) and the participating member units. Each part has its own 保存, enabled
in the stages the table allows; a refusal shows at its field and the typed text stays."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QLineEdit, QListWidget, QListWidgetItem, QMessageBox, QVBoxLayout, \
    QWidget

from desktop.services.exams import exam_service
from desktop.services.exams.exam_deadlines import DUTY_TERMS, KIND_LIST
from desktop.services.exams.exam_service import ExamDetail, PartyInput, PartyRow
from desktop.services.year import year_service
from desktop.views.exams.case_kit import CaseTab, Refill, open_dialog, open_selected
from desktop.views.exams.exam_dialogs import text_box
from desktop.views.kit.date_field import DateField
from desktop.views.kit.forms import FieldForm, FormDialog
from desktop.views.kit.layouts import hbox, hint_label, table_view
from desktop.views.kit.ops import query, write
from desktop.views.kit.rows import RowsModel
from desktop.views.kit.table import ActionBar, needs_one, selected_rows
from desktop.views.kit.undo import Step
from desktop.views.kit.widgets import button, splitter


class PartyModel(RowsModel):
    COLUMNS = [("name", "名称"), ("relation", "关联关系"), ("credit_code", "统一社会信用代码"), ("note", "备注")]


class PartyDialog(FormDialog):
    """One related party (关联方). Emits `submitted(PartyInput)`."""

    def __init__(self, party: PartyRow | None, parent=None) -> None:
        super().__init__("修改关联方" if party else "添加关联方", parent)
        self.name_edit = self.add("parties", "名称 *", QLineEdit())
        self.relation_edit = self.add("relation", "关联关系", QLineEdit())
        self.relation_edit.setPlaceholderText("如 实际控制人、出租方、土地使用权人")
        self.code_edit = self.add("credit_code", "统一社会信用代码", QLineEdit())
        self.note_edit = self.add("note", "备注", QLineEdit())
        if party is not None:
            self.name_edit.setText(party.name)
            self.relation_edit.setText(party.relation)
            self.code_edit.setText(party.credit_code)
            self.note_edit.setText(party.note)

    def values(self) -> PartyInput:
        return PartyInput(self.name_edit.text(), self.relation_edit.text(), self.code_edit.text(),
                          self.note_edit.text())


def _inputs(parties) -> list[PartyInput]:
    return [PartyInput(p.name, p.relation, p.credit_code, p.note) for p in parties]


class StartTab(CaseTab):
    def __init__(self, case) -> None:
        super().__init__(case)
        self.dialog = None
        self._units_shown: set[int] = set()  # the units ticked when the list was last filled from the ledger
        year = self.ctx.year
        # Proposal and start
        self.proposal_form = FieldForm("保存提议")
        self.enterprise_label = QLabel("")
        self.enterprise_label.setWordWrap(True)
        self.proposal_form.form.addRow("体检企业", self.enterprise_label)
        self.proposed_edit = self.proposal_form.add("proposed_on", "提议日期",
                                                    DateField(label="提议日期", field="proposed_on", year=year))
        self.reason_edit = self.proposal_form.add("reason", "提议理由", text_box(2))
        self.proposal_form.ok_button.clicked.connect(self.save_proposal)
        self.start_edit = self.proposal_form.add("start_date", "启动日期",
                                                 DateField(label="启动日期", field="start_date", year=year))
        self.start_button = button("记录启动日期", self.save_start,
                                   tip=f"市专班启动体检程序：各单位出具问题清单的期限（{DUTY_TERMS[KIND_LIST]}）从次日起算")
        self.proposal_form.form.addRow("", hbox(self.proposal_form.ok_button, self.start_button, 1))
        self.gate.add(self.proposal_form.ok_button, "proposal")
        self.gate.add(self.start_button, "start")

        # 一企一策 plan
        self.plan_form = FieldForm("保存实施方案")
        self.procedure_edit = self.plan_form.add("procedure", "体检程序", text_box(3))
        self.methods_edit = self.plan_form.add("methods", "体检方式", text_box(3))
        self.content_edit = self.plan_form.add("content", "体检内容", text_box(3))
        self.content_edit.setPlaceholderText("对照“一企一策”：证照资料、行政审批、项目规划……")
        self.plan_form.form.addRow("", hbox(self.plan_form.ok_button, 1))
        self.plan_form.ok_button.clicked.connect(self.save_plan)
        self.gate.add(self.plan_form.ok_button, "plan")
        self.proposal_refill = Refill(self.proposed_edit, self.reason_edit, self.start_edit)
        self.plan_refill = Refill(self.procedure_edit, self.methods_edit, self.content_edit)

        left_w = QWidget()
        left = QVBoxLayout(left_w)
        left.setContentsMargins(0, 0, 0, 0)
        for title, w in (("镇街提议与启动", self.proposal_form), ("“一企一策”综合体检实施方案", self.plan_form)):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(w)
            left.addWidget(box)
        left.addStretch(1)

        # Related parties
        self.party_model = PartyModel(self)
        self.party_table = table_view(self.party_model, "party_table", (120, 80, 150))
        self.party_table.doubleClicked.connect(lambda _i: self.edit_party())
        parties = ActionBar(self.party_table, self)
        self.add_party_button = parties.add("添加…", lambda: self.open_party(None))
        self.edit_party_button = parties.add("修改…", self.edit_party, when=needs_one)
        self.remove_party_button = parties.add("移除", self.remove_party, when=needs_one)
        for b in (self.add_party_button, self.edit_party_button, self.remove_party_button):
            self.gate.add(b, "parties")
        self.party_actions = parties
        party_box = QGroupBox("相关责任方（关联方）")
        pl = QVBoxLayout(party_box)
        pl.addWidget(self.party_table, 1)
        pl.addWidget(hbox(self.add_party_button, self.edit_party_button, self.remove_party_button, 1))

        # Participating units
        self.unit_list = QListWidget()
        self.unit_list.setObjectName("unit_choice")
        self.unit_list.setSpacing(1)
        self.units_button = button("保存参与单位", self.save_units)
        self.gate.add(self.units_button, "units")
        self.units_hint = hint_label("")
        unit_box = QGroupBox("参与体检的成员单位")
        ul = QVBoxLayout(unit_box)
        ul.addWidget(self.unit_list, 1)
        ul.addWidget(self.units_hint)
        ul.addWidget(hbox(self.units_button, 1))

        right = splitter(Qt.Orientation.Vertical, (party_box, 2), (unit_box, 3))
        self.splitter = splitter(Qt.Orientation.Horizontal, (left_w, 3), (right, 2))
        self.right_splitter = right
        QVBoxLayout(self).addWidget(self.splitter)

    def layout_parts(self) -> dict:
        return {"start_splitter": self.splitter, "start_right": self.right_splitter,
                "party_header": self.party_table.horizontalHeader()}

    # Showing ----------------------------------------------------------------------------------------
    def show_detail(self, d: ExamDetail) -> None:
        same = self.detail is not None and self.detail.id == d.id
        super().show_detail(d)
        self.enterprise_label.setText(f"<b>{d.enterprise}</b>　{d.credit_code}<br>{d.address}　（{d.town}）")
        self.proposal_refill(d.id, lambda: (self.proposed_edit.set_value(d.proposed_on),
                                            self.reason_edit.setPlainText(d.proposal_reason),
                                            self.start_edit.set_value(d.start_date)))
        self.plan_refill(d.id, lambda: (self.procedure_edit.setPlainText(d.plan_procedure),
                                        self.methods_edit.setPlainText(d.plan_methods),
                                        self.content_edit.setPlainText(d.plan_content)))
        self.party_model.set_rows(d.parties)
        self.party_actions.update()
        self.gate.update(d.stage)
        query(self, "departments", year_service.list_departments, done=lambda rows: self._fill_units(rows, d, same))

    def _fill_units(self, departments, d: ExamDetail, same: bool) -> None:
        saved = {u.department_id for u in d.units}
        ticked = set(self.chosen_units())
        keep = same and ticked != self._units_shown and ticked != saved  # the clerk's unsaved ticks stay
        chosen = ticked if keep else saved
        if not keep:
            self._units_shown = saved
        self.unit_list.clear()
        for dept in departments:
            if not dept.active and dept.id not in chosen:
                continue
            item = QListWidgetItem(dept.name + ("" if dept.active else "（已停用）"))
            item.setData(Qt.ItemDataRole.UserRole, dept.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if dept.id in chosen else Qt.CheckState.Unchecked)
            self.unit_list.addItem(item)
        self.units_hint.setText(f"已选 {len(saved)} 个单位；已录入问题清单或书面报告的单位不能移出。"
                                if saved else "勾选参与本次体检的成员单位（至少一个），再点“保存参与单位”。")

    def chosen_units(self) -> list[int]:
        return [self.unit_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.unit_list.count())
                if self.unit_list.item(i).checkState() == Qt.CheckState.Checked]

    # Saving -----------------------------------------------------------------------------------------
    def save_proposal(self) -> None:
        d = self.detail
        if d is None or not self.proposal_form.dates_ok():
            return
        on, reason = self.proposed_edit.value(), self.reason_edit.toPlainText()
        write(self, exam_service.update_proposal, d.id, proposed_on=on, reason=reason,
              failed=self.proposal_form.show_error,
              done=lambda _r: self.case.undo.push(
                  "修改提议", undo=Step(exam_service.update_proposal, d.id, proposed_on=d.proposed_on,
                                       reason=d.proposal_reason),
                  redo=Step(exam_service.update_proposal, d.id, proposed_on=on, reason=reason)))

    def save_start(self) -> None:
        d = self.detail
        if d is None or not self.proposal_form.dates_ok():
            return
        write(self, exam_service.start, d.id, self.start_edit.value(), failed=self.proposal_form.show_error)

    def save_plan(self) -> None:
        d = self.detail
        if d is None:
            return
        self.plan_form.clear_errors()
        after = {"procedure": self.procedure_edit.toPlainText(), "methods": self.methods_edit.toPlainText(),
                 "content": self.content_edit.toPlainText()}
        before = {"procedure": d.plan_procedure, "methods": d.plan_methods, "content": d.plan_content}
        write(self, exam_service.set_plan, d.id, **after, failed=self.plan_form.show_error,
              done=lambda _r: self._undoable("修改实施方案", Step(exam_service.set_plan, d.id, **before),
                                             Step(exam_service.set_plan, d.id, **after), any(before.values())))

    def _undoable(self, text: str, undo: Step, redo: Step, can: bool = True) -> None:
        if can:
            self.case.undo.push(text, undo=undo, redo=redo)

    def save_units(self) -> None:
        d = self.detail
        if d is None:
            return
        before, after = [u.department_id for u in d.units], self.chosen_units()
        write(self, exam_service.set_units, d.id, after,
              done=lambda _r: self._undoable("调整参与单位", Step(exam_service.set_units, d.id, before),
                                             Step(exam_service.set_units, d.id, after), bool(before)))

    # Related parties --------------------------------------------------------------------------------
    def open_party(self, party: PartyRow | None) -> None:
        d = self.detail
        if d is None or self.dialog is not None:
            return
        dialog = PartyDialog(party, self)
        current = list(d.parties)

        def save(p: PartyInput) -> None:
            rows = _inputs(current)
            if party is None:
                rows.append(p)
            else:
                rows[current.index(party)] = p
            self._save_parties(d, rows, dialog)

        open_dialog(self, dialog, save)

    def edit_party(self) -> None:
        open_selected(self.party_table, self.add_party_button, self.open_party)

    def remove_party(self) -> None:
        d, rows = self.detail, selected_rows(self.party_table)
        if d is None or len(rows) != 1:
            return
        if QMessageBox.question(self, "移除关联方", f"确定移除关联方“{rows[0].name}”？") == QMessageBox.StandardButton.Yes:
            self._save_parties(d, [p for p in _inputs(d.parties) if p.name != rows[0].name], None)

    def _save_parties(self, d: ExamDetail, rows: list[PartyInput], dialog) -> None:
        before = _inputs(d.parties)
        write(dialog or self, exam_service.set_parties, d.id, rows,
              failed=dialog.show_error if dialog is not None else None,
              done=lambda _r: (dialog and dialog.accept(), self.case.undo.push(
                  "修改关联方", undo=Step(exam_service.set_parties, d.id, before),
                  redo=Step(exam_service.set_parties, d.id, rows))))
