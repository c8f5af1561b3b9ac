"""会诊, 诊治, 督办 and 打分 tabs of a case (附件2 (3)–(5)). Each reads what the case recorded after the initial
examination (exam_later.later_stages) and records through a form or a small dialog, its buttons enabled in the
stages the table allows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

from desktop.models.enums import SanctionKind
from desktop.services.exams import exam_later
from desktop.services.exams.exam_later import LaterStages
from desktop.services.exams.exam_service import ExamDetail
from desktop.services.towns import town_service
from desktop.views.exams.case_kit import CaseTab, open_dialog, why_not_lift
from desktop.views.exams.exam_dialogs import RecordDialog, choice_box, text_box
from desktop.views.kit.date_field import DateField
from desktop.views.kit.forms import FieldForm
from desktop.views.kit.layouts import hbox, table_view
from desktop.views.kit.ops import query, write
from desktop.views.kit.rows import MUTED, RED, RowsModel
from desktop.views.kit.table import ActionBar, needs_one, selected_rows
from desktop.views.kit.widgets import splitter

ACCEPT_RESULTS = [("通过", True), ("不通过", False)]


def check_list(name: str) -> QListWidget:
    box = QListWidget()
    box.setObjectName(name)
    return box


def fill_checks(box: QListWidget, items: list[tuple[object, str]], checked: set) -> None:
    """Refill a list of check boxes, keeping what the clerk ticked when the items stay the same."""
    have = [(box.item(i).data(Qt.ItemDataRole.UserRole), box.item(i).text()) for i in range(box.count())]
    if have == list(items):
        return
    box.clear()
    for data, text in items:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, data)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if data in checked else Qt.CheckState.Unchecked)
        box.addItem(item)


def checked(box: QListWidget) -> list:
    return [box.item(i).data(Qt.ItemDataRole.UserRole) for i in range(box.count())
            if box.item(i).checkState() == Qt.CheckState.Checked]


class LaterTab(CaseTab):
    """A tab showing part of `later_stages`; `loaded(later)` in the subclass."""

    def __init__(self, case) -> None:
        super().__init__(case)
        self.later: LaterStages | None = None
        self.dialog = None

    def show_detail(self, d: ExamDetail) -> None:
        super().show_detail(d)
        query(self, "later", exam_later.later_stages, d.id, done=self._later)

    def _later(self, later: LaterStages) -> None:
        self.later = later
        self.loaded(later)
        self.gate.update(self.detail.stage if self.detail else None)

    def loaded(self, later: LaterStages) -> None:  # pragma: no cover - each tab has its own
        raise NotImplementedError

    def unit_choices(self) -> list[tuple[str, int]]:
        return [(u.department, u.department_id) for u in self.detail.units] if self.detail else []

    def open_record(self, title: str, fields, fn, *args, note: str = "", ok_text: str = "保存") -> None:
        """A RecordDialog whose values go to `fn(ledger, *args, **values)`; the dialog stays open on a refusal."""
        if self.dialog is not None or self.detail is None:
            return
        dialog = RecordDialog(title, fields, self, note=note, ok_text=ok_text)
        open_dialog(self, dialog, lambda values: write(dialog, fn, *args, failed=dialog.show_error,
                                                       done=lambda _r: dialog.accept(), **values))

    def date(self, label: str, field: str) -> DateField:
        return DateField(label=label, field=field, year=self.ctx.year)


# 会诊 ---------------------------------------------------------------------------------------------------

class ConsultationModel(RowsModel):
    COLUMNS = [("held_on", "会诊日期"), ("units_present", "参会单位"), ("towns_present", "参会镇街"),
               ("opinion", "会诊意见"), ("approval", "市领导审批")]

    def value(self, r, key: str):
        if key == "approval":
            return f"{r.approved_by}（{r.approved_on}）" if r.in_effect else "待审批，尚未生效"
        return super().value(r, key)

    def foreground(self, r, key: str):
        return RED if key == "approval" and not r.in_effect else None

    def tooltip(self, r, key: str):
        return r.opinion if key == "opinion" else None


class ConsultationTab(LaterTab):
    def __init__(self, case) -> None:
        super().__init__(case)
        self.model = ConsultationModel(self)
        self.table = table_view(self.model, "consultation_table", (86, 130, 70, 170), sortable=False)
        self.actions = ActionBar(self.table, self)
        self.approve_button = self.actions.add("记录市领导审批…", self.approve, when=self._why_not_approve,
                                               tip="会诊意见报市领导同意后予以实施")
        self.gate.add(self.approve_button, "consultation")
        history = QGroupBox("会诊记录（市领导审批后生效）")
        hl = QVBoxLayout(history)
        hl.addWidget(self.table, 1)
        hl.addWidget(hbox(self.approve_button, 1))

        self.form = FieldForm("保存会诊记录")
        self.held_edit = self.form.add("held_on", "会诊日期", self.date("会诊日期", "held_on"))
        self.units_box = self.form.add("units_present", "参会成员单位", check_list("units_present"))
        self.towns_box = self.form.add("towns_present", "参会镇街", check_list("towns_present"))
        for box in (self.units_box, self.towns_box):
            box.setMaximumHeight(110)
        self.others_edit = self.form.add("others_present", "其他参会人员", QLineEdit())
        self.opinion_edit = self.form.add("opinion", "会诊意见", text_box(4))
        self.form.form.addRow("", hbox(self.form.ok_button, 1))
        self.form.ok_button.clicked.connect(self.save)
        self.gate.add(self.form.ok_button, "consultation")
        new = QGroupBox("记录会诊（市专班召集相关部门及属地镇街）")
        QVBoxLayout(new).addWidget(self.form)
        new.layout().addStretch(1)
        self.splitter = splitter(Qt.Orientation.Horizontal, (history, 3), (new, 2))
        QVBoxLayout(self).addWidget(self.splitter)

    def layout_parts(self) -> dict:
        return {"consultation_splitter": self.splitter, "consultation_header": self.table.horizontalHeader()}

    def loaded(self, later: LaterStages) -> None:
        self.model.set_rows(later.consultations)
        self.actions.update()
        d = self.detail
        fill_checks(self.units_box, [(u.department_id, u.department) for u in d.units],
                    {u.department_id for u in d.units})
        query(self, "towns", town_service.list_towns,
              done=lambda towns: fill_checks(self.towns_box, [(t.id, t.name) for t in towns if t.active], {d.town_id}))

    def _why_not_approve(self, rows) -> str | None:
        return needs_one(rows) or (f"已由{rows[0].approved_by}审批" if rows[0].in_effect else None)

    def save(self) -> None:
        if self.detail is None or not self.form.dates_ok():
            return
        write(self, exam_later.record_consultation, self.detail.id, held_on=self.held_edit.value(),
              units_present=checked(self.units_box), towns_present=checked(self.towns_box),
              opinion=self.opinion_edit.toPlainText(), others_present=self.others_edit.text(),
              failed=self.form.show_error, done=lambda _r: (self.opinion_edit.clear(), self.others_edit.clear()))

    def approve(self) -> None:
        rows = selected_rows(self.table)
        if len(rows) == 1:
            self.open_record("记录市领导审批", [("approved_by", "审批的市领导 *", QLineEdit()),
                                           ("approved_on", "审批日期 *", self.date("审批日期", "approved_on"))],
                             exam_later.record_approval, rows[0].id, note="审批后会诊意见生效，体检方可进入诊治。")


# 诊治 ---------------------------------------------------------------------------------------------------

class AcceptanceModel(RowsModel):
    COLUMNS = [("accepted_on", "验收日期"), ("accepted", "结果"), ("accepted_by", "验收人"), ("note", "说明")]

    def value(self, r, key: str):
        if key == "accepted":
            return "通过" if r.accepted else "不通过"
        return super().value(r, key)

    def foreground(self, r, key: str):
        return RED if key == "accepted" and r.accepted is False else None


class SanctionModel(RowsModel):
    COLUMNS = [("kind", "惩戒措施"), ("issuer", "实施单位"), ("applied_on", "实施日期"), ("doc_number", "文号"),
               ("lifted_on", "解除日期"), ("note", "说明")]

    def foreground(self, r, key: str):
        return MUTED if r.lifted_on is not None else None


class TreatmentTab(LaterTab):
    def __init__(self, case) -> None:
        super().__init__(case)
        self.accept_model = AcceptanceModel(self)
        self.accept_table = table_view(self.accept_model, "acceptance_table", (90, 60, 90), sortable=False)
        self.accept_form = FieldForm("记录验收")
        self.result_box = self.accept_form.add("passed", "验收结果", choice_box(ACCEPT_RESULTS))
        self.accepted_by_edit = self.accept_form.add("accepted_by", "验收人", QLineEdit())
        self.accepted_on_edit = self.accept_form.add("accepted_on", "验收日期", self.date("验收日期", "accepted_on"))
        self.accept_note = self.accept_form.add("note", "说明", QLineEdit())
        self.accept_form.form.addRow("", hbox(self.accept_form.ok_button, 1))
        self.accept_form.ok_button.clicked.connect(self.save_acceptance)
        self.gate.add(self.accept_form.ok_button, "treatment")
        accept_box = QGroupBox("验收（对整改符合要求的企业）")
        al = QVBoxLayout(accept_box)
        al.addWidget(self.accept_table, 1)
        al.addWidget(self.accept_form)

        self.sanction_model = SanctionModel(self)
        self.sanction_table = table_view(self.sanction_model, "sanction_table", (170, 90, 90, 120, 90), sortable=False)
        self.sanctions = ActionBar(self.sanction_table, self)
        self.add_sanction_button = self.sanctions.add("添加惩戒措施…", self.add_sanction,
                                                      tip="联合惩戒、行政处罚、移送司法机关")
        self.lift_button = self.sanctions.add("解除…", self.lift_sanction,
                                             when=lambda rows: why_not_lift(rows, "lifted_on"))
        for b in (self.add_sanction_button, self.lift_button):
            self.gate.add(b, "treatment")
        sanction_box = QGroupBox("联合惩戒（拒不配合整改、性质严重、屡教不改、影响恶劣的企业及责任人员）")
        sl = QVBoxLayout(sanction_box)
        sl.addWidget(self.sanction_table, 1)
        sl.addWidget(hbox(self.add_sanction_button, self.lift_button, 1))
        self.splitter = splitter(Qt.Orientation.Horizontal, (accept_box, 2), (sanction_box, 3))
        QVBoxLayout(self).addWidget(self.splitter)

    def layout_parts(self) -> dict:
        return {"treatment_splitter": self.splitter, "sanction_header": self.sanction_table.horizontalHeader()}

    def loaded(self, later: LaterStages) -> None:
        self.accept_model.set_rows(later.treatments)
        self.sanction_model.set_rows(later.sanctions)
        self.sanctions.update()


    def save_acceptance(self) -> None:
        if self.detail is None or not self.accept_form.dates_ok():
            return
        write(self, exam_later.record_acceptance, self.detail.id, passed=self.result_box.currentData(),
              accepted_by=self.accepted_by_edit.text(), accepted_on=self.accepted_on_edit.value(),
              note=self.accept_note.text(), failed=self.accept_form.show_error)

    def add_sanction(self) -> None:
        self.open_record("添加惩戒措施", [
            ("kind", "惩戒措施 *", choice_box([(k.label, k) for k in SanctionKind])),
            ("department_id", "成员单位 *", choice_box(self.unit_choices())),
            ("applied_on", "实施日期 *", self.date("实施日期", "applied_on")),
            ("doc_number", "文号", QLineEdit()),
            ("issuer", "实施单位（文书所载）", QLineEdit()),
            ("note", "说明", text_box(2))], exam_later.add_sanction, self.detail.id if self.detail else None,
            note="实施单位不填时为所选成员单位。")

    def lift_sanction(self) -> None:
        rows = selected_rows(self.sanction_table)
        if len(rows) == 1:
            self.open_record(f"解除“{rows[0].kind.label}”", [("lifted_on", "解除日期 *",
                                                          self.date("解除日期", "lifted_on"))],
                             exam_later.lift_sanction, rows[0].id)


# 督办 ---------------------------------------------------------------------------------------------------

class SupervisionModel(RowsModel):
    COLUMNS = [("department", "被督办单位"), ("listed_on", "挂牌日期"), ("reason", "督办原因"), ("resolved_on", "解除日期")]

    def display(self, r, key: str) -> str:
        if key == "resolved_on" and r.resolved_on is None:
            return "督办中"
        return super().display(r, key)

    def foreground(self, r, key: str):
        return RED if key == "resolved_on" and r.resolved_on is None else None


class AccountabilityModel(RowsModel):
    COLUMNS = [("department", "单位"), ("person", "被问责人"), ("description", "问责事由"), ("decided_on", "问责日期"),
               ("doc_number", "文号")]


class SupervisionTab(LaterTab):
    def __init__(self, case) -> None:
        super().__init__(case)
        self.sup_model = SupervisionModel(self)
        self.sup_table = table_view(self.sup_model, "supervision_table", (110, 90, 220), sortable=False)
        self.sups = ActionBar(self.sup_table, self)
        self.supervise_button = self.sups.add("挂牌督办…", self.add_supervision,
                                              tip="部门推动整改不力的，市专治办会同市纪委监委挂牌督办")
        self.lift_button = self.sups.add("解除督办…", self.lift_supervision,
                                        when=lambda rows: why_not_lift(rows, "resolved_on"))
        self.acc_model = AccountabilityModel(self)
        self.acc_table = table_view(self.acc_model, "accountability_table", (110, 90, 220, 90), sortable=False)
        self.accountability_button = ActionBar(self.acc_table, self).add(
            "登记问责…", self.add_accountability, tip="成员单位及其工作人员责任落实不到位或瞒报漏报的，由市纪委监委问责")
        for b in (self.supervise_button, self.lift_button, self.accountability_button):
            self.gate.add(b, "supervision")
        sup_box = QGroupBox("挂牌督办")
        QVBoxLayout(sup_box).addWidget(self.sup_table, 1)
        sup_box.layout().addWidget(hbox(self.supervise_button, self.lift_button, 1))
        acc_box = QGroupBox("问责（瞒报漏报、责任落实不到位）")
        QVBoxLayout(acc_box).addWidget(self.acc_table, 1)
        acc_box.layout().addWidget(hbox(self.accountability_button, 1))
        self.splitter = splitter(Qt.Orientation.Vertical, (sup_box, 1), (acc_box, 1))
        QVBoxLayout(self).addWidget(self.splitter)

    def layout_parts(self) -> dict:
        return {"supervision_splitter": self.splitter, "supervision_header": self.sup_table.horizontalHeader(),
                "accountability_header": self.acc_table.horizontalHeader()}

    def loaded(self, later: LaterStages) -> None:
        self.sup_model.set_rows(later.supervisions)
        self.acc_model.set_rows(later.accountability)
        self.sups.update()


    def add_supervision(self) -> None:
        self.open_record("挂牌督办", [("department_id", "被督办单位 *", choice_box(self.unit_choices())),
                                      ("listed_on", "挂牌日期 *", self.date("挂牌日期", "listed_on")),
                                      ("reason", "督办原因 *", text_box(3))],
                         exam_later.add_supervision, self.detail.id if self.detail else None)

    def lift_supervision(self) -> None:
        rows = selected_rows(self.sup_table)
        if len(rows) == 1:
            self.open_record(f"解除督办：{rows[0].department}",
                             [("resolved_on", "解除日期 *", self.date("解除督办日期", "resolved_on"))],
                             exam_later.lift_supervision, rows[0].id)

    def add_accountability(self) -> None:
        self.open_record("登记问责", [("department_id", "单位 *", choice_box(self.unit_choices())),
                                      ("person", "被问责人", QLineEdit()),
                                      ("description", "问责事由 *", text_box(3)),
                                      ("decided_on", "问责日期 *", self.date("问责日期", "decided_on")),
                                      ("doc_number", "文号", QLineEdit())],
                         exam_later.add_accountability, self.detail.id if self.detail else None)
