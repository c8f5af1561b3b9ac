"""通报 page over the sample city: the ranking with 并列 shaded, the chart per town, typed text kept across
period switches and a new page, 保存草稿 then 签发 (read-only afterwards, listed, reopened), the PDF and the
.xlsx of an issued bulletin, and who sees 签发."""

from __future__ import annotations

import dataclasses

import pdf_check
import pytest
from conftest import type_text, wait_idle
from openpyxl import load_workbook

from desktop.models.enums import Role
from desktop.services.bulletins import bulletin_service
from desktop.views.bulletins.bulletin_models import TIED_BACKGROUND
from desktop.views.bulletins.bulletin_view import BulletinPage
from desktop.views.pages import page_specs

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def open_page(qtbot, ctx, month: int = 10) -> BulletinPage:
    page = BulletinPage(ctx)
    qtbot.addWidget(page)
    page.resize(1150, 700)
    page.show()
    page.period.setCurrentIndex(page.period.findData(month))
    page.activate()
    wait_idle(qtbot, ctx)
    return page


def test_the_ranking_shows_ties_as_shared_ranks_on_shaded_rows(qtbot, demo_ctx):
    page = open_page(qtbot, demo_ctx)
    model = page.ranking_model
    labels = [model.display(r, "rank_label") for r in model.rows]
    tied = [r for r in model.rows if r.tied]
    assert len(tied) >= 2 and all(model.display(r, "rank_label") == f"并列第{r.rank}" for r in tied)
    assert labels[0] == "第1" and model.background(tied[0], "town") == TIED_BACKGROUND
    assert all(model.background(r, "town") is None for r in model.rows if not r.tied)
    notes = page.notes.text()
    assert notes.startswith("台账要点") and page.draft.highlights
    assert all(h in notes for h in page.draft.highlights)
    assert notes.count("报送不及时") <= 1  # the late reporters are named once, in the text, not again beside it


def test_choosing_a_town_draws_its_cumulative_area_against_its_target(qtbot, demo_ctx):
    page = open_page(qtbot, demo_ctx)
    assert page.chart.shown[0].startswith("全市")
    first = page.ranking_model.rows[0]
    page.ranking.selectRow(0)
    title, cumulative, target = page.chart.shown
    series = next(s for s in page.draft.chart if s.town == first.town)
    assert title.startswith(first.town) and cumulative == series.cumulative_mu and target == first.target_mu
    assert len(cumulative) == 10 and cumulative[-1] == first.verified_mu


def test_typed_text_survives_a_period_switch_a_reload_and_a_new_page(qtbot, demo_ctx):
    page = open_page(qtbot, demo_ctx)
    page.editor.clear()
    type_text(qtbot, page.editor, "十月通报：请各镇街加快核实")
    assert "未保存的修改" in page.text_label.text()
    page.period.setCurrentIndex(page.period.findData(9))
    wait_idle(qtbot, demo_ctx)
    assert page.editor.toPlainText() == page.draft.body  # September's own text
    page.period.setCurrentIndex(page.period.findData(10))
    wait_idle(qtbot, demo_ctx)
    assert page.editor.toPlainText() == "十月通报：请各镇街加快核实"
    demo_ctx.changed("list_entry")  # someone else's write: the page reloads, the typing stays
    wait_idle(qtbot, demo_ctx)
    assert page.editor.toPlainText() == "十月通报：请各镇街加快核实"
    again = open_page(qtbot, demo_ctx)  # a restart reads the settings file
    assert again.editor.toPlainText() == "十月通报：请各镇街加快核实"


def test_a_saved_draft_is_issued_with_its_number_then_read_only_and_listed(qtbot, demo_ctx, tmp_path):
    page = open_page(qtbot, demo_ctx)
    page.editor.setPlainText("十月通报正文")
    page.save_draft()
    wait_idle(qtbot, demo_ctx)
    assert "已保存为草稿" in page.text_label.text()
    assert bulletin_service.saved_draft(demo_ctx.ledger, 2024, 10).body == "十月通报正文"
    page.issue_now()
    wait_idle(qtbot, demo_ctx)
    assert page.viewing is not None and page.viewing.number_label == "2024年第1期"
    assert page.editor.isReadOnly() and not page.save_button.isEnabled() and page.banner.isVisible()
    assert "2024年第1期" in page.banner.text() and not page.period.isEnabled()
    assert [b.number_label for b in page.issued_model.rows] == ["2024年第1期"]

    page.back_to_draft()
    wait_idle(qtbot, demo_ctx)
    assert not page.editor.isReadOnly() and page.editor.toPlainText() == page.draft.body  # a fresh draft
    page.tabs.setCurrentIndex(1)
    page.issued_table.selectRow(0)
    page.open_selected()
    assert page.tabs.currentIndex() == 0 and page.editor.toPlainText() == "十月通报正文"

    page.print_actions["bulletin"].save_pdf_to(tmp_path / "通报.pdf")
    page.export_to(tmp_path / "通报.xlsx")
    wait_idle(qtbot, demo_ctx)
    qtbot.waitUntil(lambda: page.print_actions["bulletin"].last_path is not None, timeout=20000)
    pdf_check.check(tmp_path / "通报.pdf", title=page.viewing.title,
                    texts=["2024年第1期", "十月通报正文", "并列第10"])
    wb = load_workbook(tmp_path / "通报.xlsx")
    assert "2024年第1期" in wb["通报"]["A2"].value and wb["正文"]["A1"].value == "十月通报正文"


def test_only_an_approving_role_sees_issue_and_an_auditor_has_no_bulletin_page(qtbot, demo_ctx):
    ledger = demo_ctx.ledger
    demo_ctx.ledger = dataclasses.replace(ledger, user="zhang", role=Role.CLERK)
    clerk_page = open_page(qtbot, demo_ctx)
    assert clerk_page.issue_button.isHidden() and clerk_page.save_button.isEnabled()
    demo_ctx.ledger = dataclasses.replace(ledger, user="li", role=Role.LEADER)
    leader_page = open_page(qtbot, demo_ctx)
    assert not leader_page.issue_button.isHidden() and not leader_page.save_button.isEnabled()
    assert "领导无权录入和修改台账" in leader_page.save_button.toolTip()
    auditor = dataclasses.replace(ledger, user="audit", role=Role.AUDITOR)
    assert "bulletins" not in [s.key for s in page_specs(auditor)]
    assert "bulletins" in [s.key for s in page_specs(demo_ctx.ledger)]


def test_a_case_is_added_in_its_dialog_deleted_and_brought_back_with_its_photo(qtbot, demo_ctx, tmp_path):
    from desktop.models.enums import CaseKind
    from desktop.services.bulletins import cases

    page = open_page(qtbot, demo_ctx)
    page.tabs.setCurrentIndex(2)
    panel = page.cases
    wait_idle(qtbot, demo_ctx)
    panel.add_case()
    qtbot.waitUntil(lambda: panel.dialog is not None and panel.dialog.isVisible(), timeout=10000)
    dialog = panel.dialog
    dialog.submit()
    assert "请填写案例标题" in dialog.errors["title"].text()  # refused at its field, nothing written
    type_text(qtbot, dialog.title_edit, "东港镇某铸造厂关停腾退")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(CaseKind.POSITIVE))
    dialog.target_combo.setCurrentIndex(1)
    dialog.medium_edit.setText("市日报")
    dialog.submit()
    wait_idle(qtbot, demo_ctx)
    qtbot.waitUntil(lambda: panel.dialog is None, timeout=10000)
    wait_idle(qtbot, demo_ctx)
    [row] = panel.model.rows
    assert (row.title, row.kind, row.medium) == ("东港镇某铸造厂关停腾退", CaseKind.POSITIVE, "市日报") and row.target
    panel.table.selectRow(0)
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8 photo")
    panel.photos.add_paths([str(photo)])
    wait_idle(qtbot, demo_ctx)
    qtbot.waitUntil(lambda: panel.model.rows and panel.model.rows[0].photos == 1, timeout=10000)
    panel.delete_now(panel.model.rows[0])
    wait_idle(qtbot, demo_ctx)
    assert cases.list_cases(demo_ctx.ledger) == []
    panel.undo.stack.undo()
    wait_idle(qtbot, demo_ctx)
    [back] = cases.list_cases(demo_ctx.ledger)
    assert back.title == "东港镇某铸造厂关停腾退" and back.photos == 1


def test_the_dashboard_draws_the_city_curve_and_the_latest_bulletins_ranking(qtbot, demo_ctx):
    from desktop.services.bulletins.bulletin_draft import draft
    from desktop.services.dashboard.city_curve import city_verified_by_month
    from desktop.views.dashboard.dashboard_view import DashboardPage

    ledger = demo_ctx.ledger
    year_draft = draft(ledger, 2024, 12)
    expected = [sum((s.cumulative_mu[i] for s in year_draft.chart), 0) for i in range(12)]
    assert city_verified_by_month(ledger, 2024, ledger.today()) == expected
    page = DashboardPage(demo_ctx)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    wait_idle(qtbot, demo_ctx)
    assert page.city_curve.chart.shown[1] == tuple(expected) and page.city_curve.chart.shown[2] == year_draft.city_target_mu
    assert "尚未签发通报" in page.latest_bulletin.caption.text()
    bulletin_service.issue(ledger, 2024, 10, body="十月通报")
    demo_ctx.changed("bulletin")
    wait_idle(qtbot, demo_ctx)
    assert "2024年第1期" in page.latest_bulletin.caption.text()
    shown = page.latest_bulletin.model
    assert any(shown.display(r, "rank_label").startswith("并列第") for r in shown.rows)


def test_the_cases_tab_is_built_when_first_shown_in_its_place(qtbot, demo_ctx):
    from desktop.models.enums import CaseKind
    from desktop.services.bulletins import cases

    cases.create(demo_ctx.ledger, cases.CaseValues("某企业腾退整治", CaseKind.POSITIVE))
    page = open_page(qtbot, demo_ctx)
    titles = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert titles == ["起草与签发", "已签发通报", "典型案例"] and page._cases is None
    page.tabs.setCurrentIndex(2)  # a click on 典型案例: the panel is made, put at index 2, and loads its cases
    assert page._cases is not None and page.tabs.widget(2) is page.cases and page.tabs.currentIndex() == 2
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == titles
    wait_idle(qtbot, demo_ctx)
    assert [r.title for r in page.cases.model.rows] == ["某企业腾退整治"]
