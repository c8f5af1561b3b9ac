"""通报 (四(五)): towns ranked by verified completion with ties (1, 1, 3), each hand-in counted by its own date,
only 已核实 area counting; issued bulletins numbered and kept as issued; the .xlsx and the PDF."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pdf_check
import pytest
from openpyxl import load_workbook

from desktop.models import ListEntry
from desktop.models.enums import EntryState
from desktop.services.bulletins import bulletin_docs, bulletin_service
from desktop.services.bulletins.bulletin_draft import draft
from desktop.services.errors import NotFound, ValidationError
from desktop.services.towns import town_service
from test_report_hand_ins import _hand_in
from test_report_service import make_entry, make_town

D = Decimal


def verified(db, town_id: int, name: str, area: str, on: dt.date) -> int:
    entry_id = make_entry(db, town_id, name, area=area, state=EntryState.VERIFIED)
    with db.session() as s:
        e = s.get(ListEntry, entry_id)
        e.verified_area_mu, e.verified_on, e.completed_on = D(area), on, on
    return entry_id


@pytest.fixture
def city(db):
    """甲 100 亩 → 50 (50 %), 乙 200 → 100 (50 %), 丙 100 → 30 (30 %); 丙 also has a reported, unverified entry."""
    towns = {}
    for name, target in (("甲镇", 100), ("乙镇", 200), ("丙镇", 100)):
        towns[name] = make_town(db, name)
        town_service.set_target(db, towns[name], 2024, target_area_mu=target, target_parks=1)
    verified(db, towns["甲镇"], "甲一厂", "50", dt.date(2024, 9, 24))
    verified(db, towns["乙镇"], "乙一厂", "60", dt.date(2024, 8, 23))
    verified(db, towns["乙镇"], "乙二厂", "40", dt.date(2024, 10, 22))
    verified(db, towns["丙镇"], "丙一厂", "30", dt.date(2024, 10, 21))
    make_entry(db, towns["丙镇"], "丙二厂", area="500", state=EntryState.REPORTED)  # not verified: never counts
    return towns


def test_equal_completion_ranks_together_and_the_next_rank_skips(db, city):
    d = draft(db, 2024, 10)
    got = [(r.town, r.completion_pct, r.rank, r.tied, r.rank_label) for r in d.rows]
    assert got == [("甲镇", D("50.00"), 1, True, "并列第1"), ("乙镇", D("50.00"), 1, True, "并列第1"),
                   ("丙镇", D("30.00"), 3, False, "第3")]
    assert d.verified_mu == D(180)  # 丙二厂's 500 亩 reported but not verified
    assert "完成率排名第一（并列）：甲镇（50.00%）、乙镇（50.00%）。" in d.highlights


def test_a_month_counts_only_the_area_verified_by_its_end_and_the_chart_is_cumulative(db, city):
    d = draft(db, 2024, 9)
    assert {r.town: r.verified_mu for r in d.rows} == {"甲镇": D(50), "乙镇": D(60), "丙镇": D(0)}
    series = {s.town: s for s in draft(db, 2024, 10).chart}
    assert series["乙镇"].cumulative_mu[7:] == (D(60), D(60), D(100))  # August, September, October
    assert series["乙镇"].target_mu == D(200) and len(series["乙镇"].cumulative_mu) == 10


def test_the_year_parameters_set_the_city_target(db, city):
    from desktop.services.year import year_service

    target = year_service.get_params(db, 2024).target_area_mu
    d = draft(db, 2024, 10)
    assert d.city_target_mu == target
    assert f"占年度目标{target:,.2f}亩" in d.highlights[0]


def test_on_time_reports_count_each_hand_in_by_its_own_date(db, tmp_path):
    town = make_town(db, "丁镇")
    first, second = make_entry(db, town, "丁一厂"), make_entry(db, town, "丁二厂")
    _hand_in(db, town, first, dt.date(2024, 10, 16), tmp_path / "a.xlsx")
    _hand_in(db, town, second, dt.date(2024, 10, 28), tmp_path / "b.xlsx")
    row = next(r for r in draft(db, 2024, 10).rows if r.town == "丁镇")
    assert (row.reports, row.on_time_reports, row.late_reports) == (2, 1, 1)
    assert "丁镇（10月逾期报送）" in draft(db, 2024, 10).late_reporters


def test_issued_bulletins_are_numbered_in_turn_and_keep_their_figures(db, city):
    first = bulletin_service.issue(db, 2024, 9, body="九月通报正文")
    verified(db, city["丙镇"], "丙三厂", "70", dt.date(2024, 9, 20))  # recorded after the September bulletin
    second = bulletin_service.issue(db, 2024, 10)
    assert (first.number, first.number_label, second.number) == (1, "2024年第1期", 2)
    kept = bulletin_service.get(db, first.id)
    assert kept.body == "九月通报正文"
    assert {r.town: r.verified_mu for r in kept.draft.rows} == {"甲镇": D(50), "乙镇": D(60), "丙镇": D(0)}
    assert {r.town: r.verified_mu for r in draft(db, 2024, 9).rows}["丙镇"] == D(70)  # the ledger moved on
    assert [b.number for b in bulletin_service.list_issued(db, 2024)] == [2, 1]
    assert not hasattr(bulletin_service, "update") and not hasattr(bulletin_service, "delete")


def test_an_empty_text_or_an_unknown_year_is_refused(db, city):
    with pytest.raises(ValidationError) as caught:
        bulletin_service.issue(db, 2024, 10, body="  ")
    assert caught.value.field == "body"
    with pytest.raises(NotFound, match="2031"):
        draft(db, 2031, 1)
    with pytest.raises(ValidationError, match="月份"):
        draft(db, 2024, 13)
    assert bulletin_service.count_issued(db, 2024) == 0


def test_the_workbook_reads_back_with_the_ranking_text_and_monthly_area(db, city, tmp_path):
    path = bulletin_docs.write_xlsx(db, draft(db, 2024, 10), tmp_path / "通报.xlsx", number_label="2024年第1期")
    wb = load_workbook(path)
    ws = wb["通报"]
    assert [c.value for c in ws[4]] == bulletin_docs.HEADERS
    assert [[c.value for c in row][:5] for row in ws.iter_rows(min_row=5, max_row=7)] == [
        ["并列第1", "甲镇", 100, 50, 0.5], ["并列第1", "乙镇", 200, 100, 0.5], ["第3", "丙镇", 100, 30, 0.3]]
    assert "2024年第1期" in ws["A2"].value
    assert any("完成率排名第一" in (c.value or "") for c in wb["正文"]["A"])
    months = wb["逐月核实面积"]
    assert months["A11"].value == "10月" and months["C11"].value == 100 and months["C13"].value == 200
    assert len(months._charts) == 1


def test_the_printed_bulletin_passes_the_checker(db, city, tmp_path):
    d = draft(db, 2024, 10)
    pdf = bulletin_docs.bulletin_pdf(db, d, number_label="2024年第1期", issued_on=dt.date(2024, 11, 5))
    (tmp_path / "b.pdf").write_bytes(pdf)
    pdf_check.check(tmp_path / "b.pdf", title=d.title,
                    texts=["2024年第1期", "并列第1", "一、各镇街完成情况排名", "2024年11月5日"])
