"""The 操作日志 page's filter lists: every user, action and object type in the log, once each, sorted."""

from __future__ import annotations

from sqlalchemy import select

from desktop.models import AuditLog
from desktop.services import audit


def test_the_filter_lists_hold_each_user_action_and_object_type_once(db):
    with db.session() as s:
        for user, action, object_type in [("李四", "update", "target"), ("张三", "create", "target"),
                                          ("李四", "create", "town"), ("admin", "login", "app_user"),
                                          ("张三", "update", "target")]:
            audit.record(s, action, object_type, user=user)
    with db.reader() as s:
        rows = s.execute(select(AuditLog.user, AuditLog.action, AuditLog.object_type)).all()
    values = audit.distinct_values(db)
    assert values == {"user": sorted({r.user for r in rows}), "action": sorted({r.action for r in rows}),
                      "object_type": sorted({r.object_type for r in rows})}
    assert {"李四", "张三", "admin"} <= set(values["user"]) and {"login", "update"} <= set(values["action"])
