"""The op bridge: no widget on the lane, answers only to a living owner and the latest request of a key,
and a write announces the tables it changed, from the write itself."""

from __future__ import annotations

import pytest
from conftest import wait_idle
from PySide6.QtWidgets import QWidget

from desktop.services.towns import town_service
from desktop.views.kit.ops import query, write


class Owner(QWidget):
    def __init__(self, ctx) -> None:
        super().__init__()
        self.ctx = ctx


@pytest.fixture
def owner(qtbot, ctx):
    w = Owner(ctx)
    qtbot.addWidget(w)
    return w


def _echo(ledger, value):
    return value


def test_a_qt_object_may_not_ride_the_lane(owner):
    with pytest.raises(TypeError, match="Qt object"):
        query(owner, "k", _echo, owner)
    with pytest.raises(TypeError, match="Qt object"):
        write(owner, _echo, value=owner)


def test_the_service_gets_the_pages_ledger_first(qtbot, owner, ctx):
    got = []
    query(owner, "who", lambda ledger: ledger, done=got.append)
    wait_idle(qtbot, ctx)
    assert got == [ctx.ledger]


def test_only_the_latest_request_of_a_key_is_answered(qtbot, owner, ctx):
    got = []
    for i in range(5):
        query(owner, "rows", _echo, i, done=got.append)
    query(owner, "other", _echo, "x", done=got.append)
    wait_idle(qtbot, ctx)
    assert got == [4, "x"]


def test_an_answer_for_a_closed_owner_is_dropped(qtbot, ctx):
    got = []
    w = Owner(ctx)
    query(w, "rows", _echo, 1, done=got.append)
    w.deleteLater()
    qtbot.waitUntil(lambda: not __import__("shiboken6").isValid(w), timeout=5000)
    wait_idle(qtbot, ctx)
    assert got == []


def test_a_write_announces_the_tables_it_changed_once(qtbot, owner, ctx):
    heard, done = [], []
    ctx.data_changed.connect(heard.append)
    write(owner, town_service.create_town, "新镇", done=done.append)
    wait_idle(qtbot, ctx)
    assert done and done[0].name == "新镇"
    assert heard == [frozenset({"town", "audit_log"})]


def test_a_refused_write_announces_nothing_and_reports_to_failed(qtbot, owner, ctx):
    heard, failed = [], []
    ctx.data_changed.connect(heard.append)
    write(owner, town_service.create_town, "", failed=failed.append)
    wait_idle(qtbot, ctx)
    assert heard == [] and failed and failed[0].message


def test_a_read_announces_nothing(qtbot, owner, ctx):
    heard = []
    ctx.data_changed.connect(heard.append)
    query(owner, None, town_service.list_towns)
    wait_idle(qtbot, ctx)
    assert heard == []


def test_a_write_by_a_closed_dialog_still_tells_the_other_pages(qtbot, ctx):
    heard = []
    ctx.data_changed.connect(heard.append)
    w = Owner(ctx)
    write(w, town_service.create_town, "另一镇")
    w.deleteLater()
    qtbot.waitUntil(lambda: not __import__("shiboken6").isValid(w), timeout=5000)
    wait_idle(qtbot, ctx)
    assert heard == [frozenset({"town", "audit_log"})]
