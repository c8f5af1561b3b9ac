"""The legacy import's fast paths give what the paths they replaced gave: the audit records of rows created
column by column (audit.Created) byte for byte those of the per-record writer, on awkward values and on a whole
import of two copies of one ledger."""

from __future__ import annotations

import datetime as dt
import enum
import shutil
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

import legacy_samples as samples
from desktop.models import PacketImport, Target
from desktop.models.enums import Category, EvaluationClass, TargetKind
from desktop.services import audit, audit_chain
from desktop.services.db import open_database
from desktop.services.excel import legacy_import as li
from desktop.services.ledger import Ledger, actor
from desktop.services.register import target_service
from desktop.services.towns import town_service

TOWNS = ["城东街道", "城西街道", "北山镇"]
AT = dt.datetime(2025, 6, 7, 8, 9, 10, 123456)


class _Str(str):
    pass


class _Colour(enum.Enum):
    RED = 1
    BLUE = "蓝"


class _Level(enum.IntEnum):
    HIGH = 3


_AWKWARD = [
    "plain", "", "引号\"与\\反斜杠", "%s %d %% 百分号", "\x00\x01\x1f控制字符\n\t", "\u2028\u2029", "😀 emoji",
    "\ud800", None, True, False, 0, -1, 2 ** 70, 1.5, float("nan"), float("inf"), -0.0, 1e300, Decimal("1.2300"),
    Decimal("-0"), Decimal("1E+3"), Decimal("0.0001"), TargetKind.PARCEL, Category.OTHER, EvaluationClass.D,
    _Colour.RED, _Colour.BLUE, _Level.HIGH, Decimal("12345678901234567890.5"), dt.date(2024, 2, 29), dt.datetime(2024, 1, 2, 3, 4, 5), {"a": [1, "二"]}, [None, 1.0],
    _Str("子类"), object,
]


def _old_stored(changes, user: str, source: str | None) -> list[tuple]:
    """The stored records as record_many made them before the column-wise path (the oracle): record dicts, the
    source named by _name_source, then audit_chain._stored."""
    rows = [{"at": AT, "user": user, "action": action, "object_type": otype, "object_id": oid, "object_label": label or "",
             "before": audit._as_logged(before), "after": audit._as_logged(after), "result": "成功"}
            for action, otype, oid, label, before, after in changes]

    class _Session:
        info = {"audit_source": source} if source else {}

    audit._name_source(_Session, rows)
    return list(audit_chain._stored(rows))


def _as_changes(block: audit.Created) -> list[tuple]:
    """A Created block as the change tuples the import used to build row by row."""
    return [("create", block.object_type, oid, label, None, {"id": oid, **{k: v[i] for k, v in block.columns.items()}})
            for i, (oid, label) in enumerate(zip(block.ids, block.labels))]


@pytest.mark.parametrize("source", [None, "外部表格 名单%s.xlsx（Sheet\"1\"）"])
def test_created_columns_store_byte_for_byte_what_the_per_record_path_stored(source):
    n = len(_AWKWARD)
    columns = {
        "mixed": _AWKWARD,
        "shifted": _AWKWARD[5:] + _AWKWARD[:5],
        "text": [f"第{i}\"%行\\" for i in range(n)],
        "whole": list(range(n)),
        "flags": [i % 2 == 0 for i in range(n)],
        "search_text": ["left out" for _ in range(n)],  # a bookkeeping column the hook leaves out
        "created_at": [AT] * n,
        "键 \"%s\"": [None] * n,
    }
    block = audit.Created("target", list(range(100, 100 + n)), [f"对象{i}" if i % 3 else "" for i in range(n)], columns)
    at = audit_chain.at_text(AT)
    new = list(audit._created_stored(block, at, "lina", source))
    assert new == _old_stored(_as_changes(block), "lina", source)
    assert [r[4] for r in new] == block.ids and all(r[6] is None and r[2] == "create" for r in new)


def test_created_columns_naming_id_or_the_source_key_fall_back_to_the_per_record_path():
    for extra in ("id", audit.SOURCE_KEY):
        block = audit.Created("evaluation", [1, 2], ["甲", "乙"], {"grade": ["D", "C"], extra: [7, 8]})
        new = list(audit._created_stored(block, audit_chain.at_text(AT), "lina", "来源"))
        assert new == _old_stored(_as_changes(block), "lina", "来源")


def test_no_created_rows_and_no_changes_record_nothing(db):
    before = audit.count(db)
    with db.session() as s:
        audit.record_many(s, [], [audit.Created("target", [], [], {})])
    assert audit.count(db) == before


def _old_record_many(session, changes, created=()):
    """record_many as it was: every record a dict, through audit_chain.append."""
    changes = list(changes) + [c for block in created for c in _as_changes(block)]
    if session.info.get("skip_audit"):
        return
    user = actor(session)
    rows = [{"at": AT, "user": user, "action": a, "object_type": o, "object_id": i, "object_label": label or "",
             "before": audit._as_logged(b), "after": audit._as_logged(af), "result": "成功"}
            for a, o, i, label, b, af in changes]
    audit._name_source(session, rows)
    audit_chain.append(session.connection(), rows)


def _log(ledger: Ledger) -> tuple[list[tuple], tuple]:
    with ledger.reader() as s:
        conn = s.connection()
        rows = conn.exec_driver_sql('SELECT id, at, "user", action, object_type, object_id, object_label, before,'
                                    ' after, result, prev_hash, hash FROM audit_log ORDER BY id').all()
        tip = conn.exec_driver_sql("SELECT last_id, last_hash, count, mac FROM audit_tip").one()
    return [tuple(r) for r in rows], tuple(tip)


def test_a_legacy_import_stores_the_same_records_and_chain_as_the_per_record_writer(db_path, tmp_path, monkeypatch):
    """Two copies of one ledger (one key, towns and two registered targets): the same awkward list imported into
    each, with the old per-record writer on one. Creates, updates, grades and the import's own record: every
    stored field, every hash and the tip are equal, and the chain verifies."""
    setup = Ledger(open_database(db_path))
    try:
        ids = {name: town_service.create_town(setup, name).id for name in TOWNS}
        old_a, old_b, *fresh = samples.firms(8, TOWNS)
        for f, grade in ((old_a, EvaluationClass.C), (old_b, None)):
            target_service.create(setup, target_service.TargetValues(
                name=f.name, town_id=ids[f.town], category=Category.POINT, credit_code=f.code, address="旧地址",
                grade=grade), year=2024)
    finally:
        setup.database.dispose()
    other = shutil.copyfile(db_path, tmp_path / "other.sqlite3")
    rows = [[old_a.name, old_a.code, old_a.town, "12.5", "新地址 \"8\" 号", "D", None],
            [old_b.name, old_b.code, old_b.town, None, "旧地址", "C", "备注%s"]]
    rows += [[f"{f.name}\\%d", f.code, f.town, str(f.land_mu), f"{f.address}😀", "D" if i % 2 else None,
              "" if i % 3 else "备注\u2028二"] for i, f in enumerate(fresh)]
    rows.append(["地块\"无代码\"", None, TOWNS[0], "3", "码头路", None, None])
    path = tmp_path / "list.xlsx"
    samples.write_custom(path, ["企业名称", "统一社会信用代码", "所属镇", "占地面积（亩）", "地址", "综合评价", "备注"], rows)
    monkeypatch.setattr(audit, "utcnow", lambda: AT)
    # the import's own PacketImport row: its id and time the same on both copies
    monkeypatch.setattr(li.uuid, "uuid4", lambda: uuid.UUID(int=12))
    monkeypatch.setattr(li, "PacketImport", lambda **kw: PacketImport(at=AT, **kw))
    logs = []
    for where, writer in ((db_path, audit.record_many), (other, _old_record_many)):
        monkeypatch.setattr(audit, "record_many", writer)
        ledger = Ledger(open_database(where))
        try:
            outcome = li.run_import(ledger, path, kind="enterprises", year=2024)
            assert outcome.applied and (outcome.summary.created, outcome.summary.updated) == (len(fresh) + 1, 2)
            assert audit.check_chain(ledger).intact
            logs.append(_log(ledger))
            with ledger.reader() as s:
                assert s.scalar(select(Target.address).where(Target.name == old_a.name)) == "新地址 \"8\" 号"
        finally:
            ledger.database.dispose()
    (new_rows, new_tip), (old_rows, old_tip) = logs
    kinds = {(r[3], r[4]) for r in new_rows}
    assert {("create", "target"), ("update", "target"), ("create", "evaluation"), ("update", "evaluation")} <= kinds
    assert new_rows == old_rows and new_tip == old_tip


def test_copied_values_are_what_copy_copy_made_and_the_callers_stay_as_typed():
    import copy

    class Sub(target_service.TargetValues):
        pass

    for v in (target_service.TargetValues(name=" 甲 ", town_id=3, land_area_mu=Decimal("1.5"), grade=EvaluationClass.D),
              Sub(name="乙", kind=TargetKind.PARCEL)):
        c = target_service.copied(v)
        assert c is not v and type(c) is type(v) and c == copy.copy(v) and vars(c) == vars(v)
        c.name = "改"
        assert v.name in (" 甲 ", "乙")
    typed = target_service.TargetValues(name=" 甲 ", town_id=3, address=" 路 ")
    cleaned = target_service.clean(typed)
    assert (cleaned.name, cleaned.address, typed.name, typed.address) == ("甲", "路", " 甲 ", " 路 ")
