"""Every file exported out of the ledger leaves an `export` record in the audit log (等保 2.0)."""

import pytest
from sqlalchemy import select

from desktop.models import AuditLog
from desktop.services.deadlines import holiday_file
from desktop.services.quota import quota_export
from desktop.services.reports import report_export
from desktop.services.subsidy import subsidy_service
from desktop.services.towns import progress_export
from desktop.services.year import year_service


def _exports(ledger):
    with ledger.reader() as s:
        return [(a.object_label, a.after, a.user, a.result) for a in
                s.scalars(select(AuditLog).where(AuditLog.action == "export").order_by(AuditLog.id))]


@pytest.mark.parametrize("name, export, label", [
    ("tasks.xlsx", lambda db, y, p: progress_export.export_task_table(db, y, p), "任务分解表"),
    ("quota.xlsx", lambda db, y, p: quota_export.export_ledger(db, p), "周转指标库台账"),
    ("subsidy.xlsx", lambda db, y, p: subsidy_service.export(db, y, p), "以奖代补测算表"),
    ("month.xlsx", lambda db, y, p: report_export.export_month(db, y, 3, p), "3月整治核实情况表"),
])
def test_each_export_is_recorded_with_its_file_and_user(demo_db, tmp_path, name, export, label):
    year = year_service.current_year(demo_db)
    path = tmp_path / name
    export(demo_db, year, path)
    assert path.exists()
    [(what, after, user, result)] = _exports(demo_db)
    assert label in what
    assert after["file_name"] == name
    assert user == demo_db.user and result == "成功"


def test_holiday_export_counts_its_rows(demo_db, tmp_path):
    year = year_service.current_year(demo_db)
    days = holiday_file.list_days(demo_db, year)
    if not days:
        pytest.skip("the sample city has no holidays for its year")
    holiday_file.export_year(demo_db, year, tmp_path / "h.xlsx")
    [(what, after, _user, _result)] = _exports(demo_db)
    assert what == f"{year}年节假日安排" and after["count"] == len(days)
