"""The audit log service: ORM writes are recorded with before/after, the hash chain catches edits,
filters narrow the list, exports never write formulas. No Qt here."""

from __future__ import annotations

import csv
import datetime as dt
import time

import pytest
from sqlalchemy import func, select, text

from desktop.models import AuditLog, Base, Town
from desktop.services import audit
from desktop.services.audit import AuditFilter

from audit_helpers import drop_guards


def _town_lifecycle(db) -> int:
    with db.session() as s:
        town = Town(name="城关街道", sort_order=1, liaison_name="张三")
        s.add(town)
        s.flush()
        town_id = town.id
    with db.session() as s:
        town = s.get(Town, town_id)
        town.liaison_name = "李四"
        town.liaison_phone = "13800000000"
    with db.session() as s:
        s.delete(s.get(Town, town_id))
    return town_id


def _max_id(db) -> int:
    with db.reader() as s:
        return s.scalar(select(func.max(AuditLog.id)))


def test_create_update_delete_are_recorded_with_before_and_after(db):
    town_id = _town_lifecycle(db)
    rows = audit.list_entries(db, object_type="town", object_id=town_id)
    assert [r.action for r in rows] == ["delete", "update", "create"]  # newest first
    delete, update, create = rows
    assert create.before is None
    assert create.after["name"] == "城关街道" and create.after["liaison_name"] == "张三"
    assert "created_at" not in create.after and "revision" not in create.after
    assert update.before == {"liaison_name": "张三", "liaison_phone": ""}
    assert update.after == {"liaison_name": "李四", "liaison_phone": "13800000000"}
    assert delete.before["liaison_name"] == "李四" and delete.after is None
    assert {r.object_label for r in rows} == {"城关街道"}
    assert all(r.result == "成功" and r.user for r in rows)


def test_hash_chain_of_untouched_log_verifies(db):
    _town_lifecycle(db)
    assert audit.verify_chain(db) == (True, None)
    check = audit.check_chain(db)
    assert check.intact and check.total == audit.count(db) >= 4
    assert check.message == f"日志完整，共{check.total}条"


def test_silent_edit_of_after_is_detected_at_that_record(db):
    _town_lifecycle(db)
    victim = audit.list_entries(db, object_type="town", action="update")[0].id
    with db.engine.begin() as conn:
        drop_guards(conn)
        conn.execute(text("UPDATE audit_log SET after = :a WHERE id = :id"),
                     {"a": '{"liaison_name": "王五", "liaison_phone": "13800000000"}', "id": victim})
    assert audit.verify_chain(db) == (False, victim)
    check = audit.check_chain(db)
    assert not check.intact and str(victim) in check.message


def test_deleting_a_middle_record_is_detected_at_the_next_one(db):
    _town_lifecycle(db)
    ids = [r.id for r in reversed(audit.list_entries(db))]
    middle, following = ids[len(ids) // 2], ids[len(ids) // 2 + 1]
    with db.engine.begin() as conn:
        drop_guards(conn)
        conn.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": middle})
    assert audit.verify_chain(db) == (False, following)


def _set_at(db, record_id: int, at: dt.datetime) -> None:
    with db.engine.begin() as conn:
        drop_guards(conn)  # a test moving records in time, not the program
        conn.execute(text("UPDATE audit_log SET at = :at WHERE id = :id"), {"at": at, "id": record_id})


def test_filters_by_user_action_object_type_and_text(db):
    _town_lifecycle(db)
    with db.session() as s:
        audit.record(s, "导入", "target", 7, label="宏达化工有限公司", after={"count": 3}, user="clerk2")
        audit.record(s, "导入", "target", 8, label="东方纺织厂", after={"count": 1}, user="clerk2")
    assert [r.object_id for r in audit.list_entries(db, user="clerk2")] == [8, 7]
    assert {r.action for r in audit.list_entries(db, action="导入")} == {"导入"}
    assert len(audit.list_entries(db, action="update", object_type="town")) == 1
    assert [r.object_label for r in audit.list_entries(db, text="化工")] == ["宏达化工有限公司"]
    assert audit.list_entries(db, text="100%") == []  # LIKE wildcards are taken literally
    assert audit.count_entries(db, AuditFilter(user="clerk2")) == 2
    assert audit.count_entries(db, AuditFilter(object_type="town", action="create")) == 1


def test_date_range_is_in_local_days_both_ends_inclusive(db, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        with db.session() as s:
            for i in range(3):
                audit.record(s, "备注", "town", i, label=f"r{i}")
        r0, r1, r2 = sorted(r.id for r in audit.list_entries(db, action="备注"))
        # 2024-03-04 23:30 local is 15:30 UTC; 2024-03-05 07:00 local is still 03-04 23:00 UTC.
        _set_at(db, r0, dt.datetime(2024, 3, 4, 15, 30))
        _set_at(db, r1, dt.datetime(2024, 3, 4, 23, 0))
        _set_at(db, r2, dt.datetime(2024, 3, 6, 15, 59))  # 03-06 23:59 local
        day = dt.date(2024, 3, 5)
        assert [r.id for r in audit.list_entries(db, since=day, until=day)] == [r1]
        assert [r.id for r in audit.list_entries(db, action="备注", since=day)] == [r2, r1]
        assert [r.id for r in audit.list_entries(db, action="备注", until=dt.date(2024, 3, 4))] == [r0]
        assert audit.to_local(dt.datetime(2024, 3, 4, 23, 0)) == dt.datetime(2024, 3, 5, 7, 0)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_paging_by_before_id_does_not_repeat_or_skip(db):
    with db.session() as s:
        for i in range(25):
            audit.record(s, "备注", "town", i, label=f"r{i}")
    first = audit.list_entries(db, action="备注", limit=10)
    second = audit.list_entries(db, action="备注", limit=10, before_id=first[-1].id)
    with db.session() as s:  # a new record arriving between pages does not shift the next page
        audit.record(s, "备注", "town", 99, label="late")
    third = audit.list_entries(db, action="备注", limit=10, before_id=second[-1].id)
    ids = [r.id for r in first + second + third]
    assert len(ids) == len(set(ids)) == 25
    assert ids == sorted(ids, reverse=True)


def test_every_table_has_a_chinese_object_type_label():
    missing = [t for t in Base.metadata.tables if audit.object_type_label(t) == t]
    assert missing == []
    assert audit.object_type_label("town_target") == "任务分解"
    assert audit.object_type_label("something_new") == "something_new"
    assert [audit.action_label(a) for a in ("create", "update", "delete", "初始化")] == ["新增", "修改", "删除", "初始化"]


def test_field_changes_name_fields_in_chinese_and_keep_unknown_code_names(db):
    town_id = _town_lifecycle(db)
    update = audit.list_entries(db, object_type="town", object_id=town_id, action="update")[0]
    changes = audit.field_changes(update)
    assert [(c.label, c.before, c.after) for c in changes] == [
        ("联络人", "张三", "李四"), ("联系电话", "", "13800000000")]
    create = audit.list_entries(db, object_type="town", object_id=town_id, action="create")[0]
    by_field = {c.field: c for c in audit.field_changes(create)}
    assert by_field["active"].after == "是" and by_field["active"].before == ""
    row = audit.AuditRow(1, dt.datetime(2024, 1, 1), "u", "update", "year_params", 1, "",
                         {"target_area_mu": "4000", "zz_new_column": 1}, {"target_area_mu": "4500", "zz_new_column": 2},
                         "成功")
    labels = [c.label for c in audit.field_changes(row)]
    assert labels == ["年度整治面积目标（亩）", "zz_new_column"]


def test_csv_export_writes_filtered_rows_and_defuses_formulas(db, tmp_path):
    with db.session() as s:
        audit.record(s, "导入", "target", 1, label="=HYPERLINK(\"http://x\")", user="clerk2")
        audit.record(s, "导入", "target", 2, label="-危险", user="clerk2")
        audit.record(s, "导入", "target", 3, label="普通企业", user="someone")
    out = tmp_path / "log.csv"
    n = audit.export(db, out, AuditFilter(user="clerk2"))
    assert n == 2
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == audit.EXPORT_HEADERS
    assert [r[6] for r in rows[1:]] == ["'-危险", "'=HYPERLINK(\"http://x\")"]
    assert {r[4] for r in rows[1:]} == {"治理对象"}
    assert not (tmp_path / "log.csv.part").exists()


def test_xlsx_export_stores_formula_like_text_as_text(db, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    _town_lifecycle(db)
    with db.session() as s:
        audit.record(s, "导入", "target", 1, label="=1+2", user="clerk2")
    out = tmp_path / "log.xlsx"
    n = audit.export(db, out)
    assert n == audit.count(db) - 1  # all but the export's own record, written after the file
    ws = openpyxl.load_workbook(out).active
    assert [c.value for c in ws[1]] == audit.EXPORT_HEADERS
    assert ws["G2"].value == "=1+2" and ws["G2"].data_type == "s"
    actions = {ws.cell(row=r, column=4).value for r in range(2, ws.max_row + 1)}
    assert {"新增", "修改", "删除"} <= actions


def test_cancelled_export_leaves_no_file(db, tmp_path):
    from desktop.services.errors import Refused

    with db.session() as s:
        for i in range(600):
            audit.record(s, "备注", "town", i, label=f"r{i}")

    class Cancelled:
        cancelled = True

    out = tmp_path / "log.csv"
    with pytest.raises(Refused):
        audit.export(db, out, token=Cancelled())
    assert list(tmp_path.glob("log.csv*")) == []


def test_rows_without_a_name_are_labelled_by_their_parent(db):
    from desktop.models import TownTarget, Year, YearParams

    with db.session() as s:
        year = s.scalar(select(Year).where(Year.year == 2024))
        town = Town(name="西山镇")
        s.add(town)
        s.flush()
        s.add(TownTarget(town_id=town.id, year_id=year.id, target_area_mu=50))
        s.scalar(select(YearParams).where(YearParams.year_id == year.id)).parks_target = 13
    assert audit.list_entries(db, object_type="town_target")[0].object_label == "西山镇"
    assert audit.list_entries(db, object_type="year_params")[0].object_label == "2024年度"
