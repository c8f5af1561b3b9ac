"""The acts of the 年度清单 page, mixed into ListPage: add, edit and delete entries, their steps, the
list's 报送 (the contiguous share asked first) and review, and 方案备案. Each act is checked with the
same rule that enables its button, so a refusal is shown before anything is asked; entry and plan
edits can be undone (Ctrl+Z)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop.services.errors import Refused
from desktop.services.lists import entry_states, list_service, plan_service
from desktop.services.lists.list_service import EntryRow, ListSummary, ShareCheck
from desktop.services.lists.plan_service import FilingResult, PlanRow, PlanValues
from desktop.services.year import year_service
from desktop.views.kit.forms import plain
from desktop.views.kit.ops import query, write
from desktop.views.kit.undo import Step
from desktop.views.kit.worker import show_error

if TYPE_CHECKING:  # the dialogs' modules load when a dialog first opens, not with the page
    from desktop.views.lists.list_dialogs import EntryDialog, EntryValues
    from desktop.views.lists.plan_dialog import PlanDialog, PlanForm

YES, NO = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
# Steps of the whole list (报送, 审核通过, 退回) have their own buttons; 退回修改 happens on 报送.
LIST_LEVEL_ACTIONS = frozenset({"submit", "approve", "return", "redraft"})
# 三(四): completion is reported, and verified per department, on the monthly page (its report
# items go with these steps), so here they are shown disabled with where to do them.
VERIFY_ACTIONS = frozenset({"verify_pass", "verify_fail"})
VERIFY_TIP = "在“月度报送与核实”中核实"
REPORT_ACTIONS = frozenset({"report_done", "withdraw_report"})
REPORT_TIP = "在“月度报送与核实”中报送或撤回"
ELSEWHERE = {**{a: VERIFY_TIP for a in VERIFY_ACTIONS}, **{a: REPORT_TIP for a in REPORT_ACTIONS}}


def step_label(action: str) -> str:
    label = entry_states.TRANSITIONS[action][2]
    if action == "file_plan" or (action in entry_states.NEEDS_REASON and action not in ELSEWHERE):
        label += "…"
    return label


def _plan_choices(ledger, year: int):
    """The SOEs to partner with and the year's parameters (the cost cap), for the plan dialog."""
    return plan_service.soe_choices(ledger), year_service.get_params(ledger, year)


def _names(entries: list[EntryRow], shown: int = 3) -> str:
    return "、".join(e.target_name for e in entries[:shown]) + (" 等" if len(entries) > shown else "")


class ListActions:
    """The page's acts; ListPage provides the tables, the rules (why_not_*), `summary` and `undo`."""

    def _refused(self, why: str | None) -> bool:
        """Show the rule's refusal (the disabled button's tooltip) instead of acting; True when refused."""
        if why is not None:
            show_error(self, Refused(why))
        return why is not None

    def _show_dialog(self, dialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialog = dialog
        dialog.finished.connect(lambda _r, d=dialog: setattr(self, "_dialog", None) if self._dialog is d else None)
        dialog.open()

    # Entry steps ---------------------------------------------------------------------------------
    def run_step(self, action: str) -> None:
        """One step of the transition table for the selected entries (all or nothing)."""
        entries = self.selected_entries()
        if not entries:
            return
        if action == "file_plan":
            self.open_plan_dialog()
            return
        if action in ELSEWHERE:
            QMessageBox.information(self, "月度报送与核实", ELSEWHERE[action])
            return
        if self._refused(entry_states.why_not_any(action, [(e.target_name, e.state) for e in entries])):
            return
        ids, label = [e.id for e in entries], entry_states.TRANSITIONS[action][2]
        if action in entry_states.NEEDS_REASON:
            from desktop.views.lists.list_dialogs import ReasonDialog

            dialog = ReasonDialog(label, f"{label}：{_names(entries)}（{len(entries)} 个条目）。请填写原因：", label, self)
            dialog.accepted.connect(
                lambda: write(self, list_service.transition_many, ids, action, reason=dialog.text()))
            self._show_dialog(dialog)
            return
        write(self, list_service.transition_many, ids, action, reason="")

    # Add, edit, delete ---------------------------------------------------------------------------
    def add_entry(self) -> None:
        """Open the add dialog (the town's list is created first when it has none)."""
        if self._town_id is None or self._dialog is not None:
            return
        if self.summary is not None:
            self._open_entry(self.summary, None)
            return
        write(self, list_service.get_or_create_list, self._town_id, self.ctx.year, done=self._list_created)

    def _list_created(self, summary: ListSummary) -> None:
        if summary.town_id == self._town_id and self._dialog is None:
            self.summary = summary
            self._show_header()
            self.actions.update()
            self._open_entry(summary, None)

    def edit_entry(self) -> None:
        entries = self.selected_entries()
        if len(entries) != 1 or self.summary is None or self._dialog is not None:
            return
        if not self._refused(entry_states.why_not("edit", entries[0].state)):  # before any typing
            self._open_entry(self.summary, entries[0])

    def _open_entry(self, summary: ListSummary, entry: EntryRow | None) -> None:
        from desktop.views.lists.list_dialogs import EntryDialog

        dialog = EntryDialog(self.ctx, summary.id, summary.town, self.parks, entry, self)
        dialog.submitted.connect(lambda v: self._save_entry(dialog, summary.id, entry, v))
        self._show_dialog(dialog)

    def _save_entry(self, dialog: EntryDialog, list_id: int, entry: EntryRow | None, v: EntryValues) -> None:
        if entry is None:
            write(dialog, list_service.add_entry, list_id, v.target_id, v.method, v.planned_area_mu,
                  contiguous_area_id=v.contiguous_area_id, note=v.note, failed=dialog.show_error,
                  done=lambda new_id: (dialog.accept(), self._entry_added(list_id, new_id, v)))
        else:
            write(dialog, list_service.update_entry, entry.id, method=v.method, planned_area_mu=v.planned_area_mu,
                  contiguous_area_id=v.contiguous_area_id, note=v.note, expected_revision=entry.revision,
                  failed=dialog.show_error, done=lambda _r: (dialog.accept(), self._entry_edited(entry, v)))

    def _entry_added(self, list_id: int, entry_id: int, v: EntryValues) -> None:
        self._select_after = [entry_id]  # once the reload brings it
        ref = self.undo.ref(entry_id)
        self.undo.push(f"添加“{v.target_name}”", undo=Step(list_service.remove_entry, ref),
                       redo=Step(list_service.add_entry, list_id, v.target_id, v.method, v.planned_area_mu,
                                 contiguous_area_id=v.contiguous_area_id, note=v.note, sets=ref))

    def _entry_edited(self, entry: EntryRow, v: EntryValues) -> None:
        # Undo restores the clerk's own last slip: no revision check against the edit just made.
        ref = self.undo.ref(entry.id)
        self.undo.push(f"修改“{entry.target_name}”",
                       undo=Step(list_service.update_entry, ref, method=entry.method,
                                 planned_area_mu=entry.planned_area_mu, contiguous_area_id=entry.contiguous_area_id,
                                 note=entry.note),
                       redo=Step(list_service.update_entry, ref, method=v.method, planned_area_mu=v.planned_area_mu,
                                 contiguous_area_id=v.contiguous_area_id, note=v.note))

    def delete_entries(self) -> None:
        entries = self.selected_entries()
        if not entries or self._refused(self.why_not_delete(entries)):
            return  # 删除 of an entry past 退回 is refused before it is asked
        names = "、".join(e.target_name for e in entries[:5]) + (f" 等 {len(entries)} 个条目" if len(entries) > 5 else "")
        if QMessageBox.question(self, "删除条目", f"确定从清单中删除：{names}？") == YES:
            write(self, list_service.remove_entries, [e.id for e in entries])

    # Submit and review ---------------------------------------------------------------------------
    def submit(self) -> None:
        """报送: the share first (三(一): the contiguous share against the year's minimum), then the act."""
        s = self.summary
        if s is not None and not self._refused(self.why_not_list("submit")):
            query(self, "share", list_service.share_check, s.id, done=lambda share: self._ask_submit(s, share))

    def _ask_submit(self, s: ListSummary, share: ShareCheck) -> None:
        count = sum(n for state, n in s.state_counts.items() if state in entry_states.EDITABLE)
        text = (f"报送{s.town}{s.year}年度清单中的 {count} 个草稿和退回修改的条目？\n报送后条目不能再修改，须等待审核。"
                f"\n\n{share.message}")
        minimum = f"{plain(share.minimum_pct)}%"
        if share.below_minimum:
            text += f"。\n\n三(一)：位于连片整治区域的面积不少于年度治理总面积的 {minimum}。仍要报送吗？"
        else:
            text += f"（年度下限 {minimum}）。"
        title = "报送清单 — 连片占比偏低" if share.below_minimum else "报送清单"
        if QMessageBox.question(self, title, text, YES | NO, NO if share.below_minimum else YES) == YES:
            write(self, list_service.submit, s.id)

    def approve(self) -> None:
        """审核通过: the share first, then the reviewer decides."""
        s = self.summary
        if s is not None and not self._refused(self.why_not_list("approve")):
            query(self, "share", list_service.share_check, s.id, done=lambda share: self._ask_approve(s, share))

    def _ask_approve(self, s: ListSummary, share: ShareCheck) -> None:
        text = f"审核通过{s.town}{s.year}年度清单中已报送的条目？\n\n{share.message}"
        ask = QMessageBox.warning if share.below_minimum else QMessageBox.question
        if ask(self, "审核通过", text, YES | NO, NO) == YES:
            write(self, list_service.review, s.id, approve=True)

    def return_list(self) -> None:
        """退回: the share first, in the dialog that asks for the (required) reason."""
        s = self.summary
        if s is not None and self._dialog is None and not self._refused(self.why_not_list("return")):
            query(self, "share", list_service.share_check, s.id, done=lambda share: self._ask_return(s, share))

    def _ask_return(self, s: ListSummary, share: ShareCheck) -> None:
        if self._dialog is not None:
            return
        from desktop.views.lists.list_dialogs import ReasonDialog

        dialog = ReasonDialog("退回清单", f"退回{s.town}{s.year}年度清单中已报送的条目，镇街修改后重新报送。请填写退回原因：",
                              "退回", self, share=share)
        dialog.accepted.connect(lambda: write(self, list_service.review, s.id, approve=False, reason=dialog.text()))
        self._show_dialog(dialog)

    # Plans ---------------------------------------------------------------------------------------
    def open_plan_dialog(self) -> None:
        """方案备案 for the selected entries; an entry not yet approved is refused (the transition
        table's own message) before the dialog opens."""
        entries = self.selected_entries()
        if not entries or self._dialog is not None or self._refused(self.why_not_file(entries)):
            return
        town = self.summary.town if self.summary else self.town_combo.currentText()
        query(self, None, _plan_choices, self.ctx.year, done=lambda r: self._open_plan(entries, *r, town, None))

    def edit_plan(self) -> None:
        """修改方案; a plan with pre-borrowed quota opens read-only, saying why."""
        plan = self.current_plan()
        if plan is not None and self._dialog is None:
            query(self, None, _plan_choices, self.ctx.year, done=lambda r: self._open_plan([], *r, plan.town, plan))

    def _open_plan(self, entries, soes, params, town: str, plan: PlanRow | None) -> None:
        if self._dialog is not None:
            return
        from desktop.views.lists.plan_dialog import PlanDialog

        dialog = PlanDialog(self.ctx, entries, soes, params, self, town=town, plan=plan)
        dialog.submitted.connect(lambda form: self._save_plan(dialog, plan, form))
        self._show_dialog(dialog)

    def _save_plan(self, dialog: PlanDialog, plan: PlanRow | None, form: PlanForm) -> None:
        if plan is None:
            write(dialog, plan_service.file_plans, form.items, form.values, failed=dialog.show_error,
                  done=lambda result: (dialog.accept(), self._plans_filed(result)))
        else:
            write(dialog, plan_service.update_plan, plan.id, form.values, expected_revision=plan.revision,
                  failed=dialog.show_error, done=lambda _r: (dialog.accept(), self._plan_updated(plan, form.values)))

    def _plans_filed(self, result: FilingResult) -> None:
        self.tabs.setCurrentIndex(1)
        self.plan_hint.setText(f"已备案 {len(result.plan_ids)} 个方案，备案编号 {result.batch_no}。")

    def _plan_updated(self, plan: PlanRow, after: PlanValues) -> None:
        before = PlanValues(plan.method, plan.planned_area_mu, plan.planned_cost_wan, plan.soe_id, plan.filed_on,
                            plan.note)
        self.undo.push(f"修改方案“{plan.target}”", undo=Step(plan_service.update_plan, plan.id, before),
                       redo=Step(plan_service.update_plan, plan.id, after))
