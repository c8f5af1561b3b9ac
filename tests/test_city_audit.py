"""The five-year city's million audit records (bench/city.py) and the chain's bulk path they take
(audit_chain.append_stored): the same stored records as the normal writer makes, a chain that verifies."""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
import shutil
from pathlib import Path

import pytest

from desktop.services import audit, audit_chain
from desktop.services.db import open_database
from desktop.services.ledger import Ledger

FIRST, LAST = dt.date(2022, 1, 1), dt.date(2026, 11, 20)


def _bench_city():
    spec = importlib.util.spec_from_file_location("bench_city", Path(__file__).parent.parent / "bench" / "city.py")
    bench_city = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_city)
    return bench_city


def _dict_rows(city, n: int, first_day: dt.date, last_day: dt.date) -> list[dict]:
    """The records as bench/city.py defined them before its bulk path: dicts for audit_chain.append."""
    rng = random.Random(city.SEED)
    start = dt.datetime.combine(first_day, dt.time(8, 0))
    step = (dt.datetime.combine(last_day, dt.time(18, 0)) - start).total_seconds() / max(n, 1)
    rows = []
    for i in range(n):
        object_type, verb = city.OBJECTS[int(rng.random() * len(city.OBJECTS))]
        object_id = int(rng.random() * 100_000) + 1
        row = {"at": start + dt.timedelta(seconds=i * step), "user": city.USERS[i % len(city.USERS)],
               "action": city.ACTIONS[verb], "object_type": object_type, "object_id": object_id,
               "object_label": f"对象{object_id}", "before": None, "after": {"id": object_id}, "result": "成功"}
        if i % 25 == 0:
            row.update(action="login", object_type="app_user", object_id=None, object_label="", after=None)
        elif verb == "修改":
            row.update(before={"note": ""}, after={"note": f"第{i}次修改"})
        rows.append(row)
    return rows


_COLUMNS = 'id, at, "user", action, object_type, object_id, object_label, before, after, result, prev_hash, hash'


def _log(ledger: Ledger) -> tuple[list[tuple], tuple]:
    with ledger.reader() as s:
        conn = s.connection()
        rows = conn.exec_driver_sql(f"SELECT {_COLUMNS} FROM audit_log ORDER BY id").all()
        tip = conn.exec_driver_sql("SELECT last_id, last_hash, count, mac FROM audit_tip").one()
    return [tuple(r) for r in rows], tuple(tip)


def test_the_citys_bulk_records_are_byte_for_byte_what_the_normal_writer_stores(db_path, tmp_path):
    """Two copies of one ledger (one key): the bench's stored-form records on one, the same records as dicts
    through audit_chain.append (the program's writer) on the other. Every stored field, every hash and the tip
    are equal, each hash is link_hash over its record, and the chain verifies."""
    city = _bench_city()
    other = shutil.copyfile(db_path, tmp_path / "other.sqlite3")
    n = 3000
    bulk, normal = Ledger(open_database(db_path)), Ledger(open_database(other))
    try:
        city.append_audit_records(bulk, n, first_day=FIRST, last_day=LAST)
        with normal.session() as s:
            audit_chain.append(s.connection(), _dict_rows(city, n, FIRST, LAST))
        (rows, tip), (expected, expected_tip) = _log(bulk), _log(normal)
        assert len(rows) > n and rows == expected and tip == expected_tip
        with bulk.reader() as s:
            key = audit_chain.ledger_key(s.connection())
        for _id, at, user, action, otype, oid, label, before, after, result, prev, h in rows[-n:]:
            assert h == audit_chain.link_hash(key, prev, at, user, action, otype, oid, label, before, after, result)
        logins = [r for r in rows[-n:] if r[3] == "login"]
        updates = [r for r in rows[-n:] if r[3] == "update"]
        assert len(logins) == n // 25 and updates and len(updates) < n - len(logins)  # every kind of record
        check = audit.check_chain(bulk)
        assert (check.intact, check.total) == (True, len(rows)), check.message
    finally:
        bulk.dispose()
        normal.dispose()


def test_the_json_templates_are_what_the_encoder_writes():
    """The bench writes before/after from templates: the same text json_text makes of the dicts."""
    city = _bench_city()
    records = list(city.audit_records(2000, first_day=FIRST, last_day=LAST))
    for row, (at, user, action, otype, oid, label, before, after, result) in zip(
            _dict_rows(city, 2000, FIRST, LAST), records):
        assert (at, user, action, otype, oid, label, result) == (
            audit_chain.at_text(row["at"]), row["user"], row["action"], row["object_type"], row["object_id"],
            row["object_label"], row["result"])
        assert (before, after) == (audit_chain.json_text(row["before"]), audit_chain.json_text(row["after"]))


def test_at_text_writes_what_strftime_writes():
    rng = random.Random(5)
    times = [dt.datetime(2024, 1, 1), dt.datetime(2024, 12, 31, 23, 59, 59, 999999), dt.datetime(1000, 1, 1, 0, 0, 0, 1)]
    times += [dt.datetime(rng.randint(1000, 9999), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23),
                          rng.randint(0, 59), rng.randint(0, 59), rng.choice((0, rng.randint(0, 999_999))))
              for _ in range(5000)]
    for t in times:
        assert audit_chain.at_text(t) == t.strftime("%Y-%m-%d %H:%M:%S.%f")
    aware = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc)
    assert audit_chain.at_text(aware) == "2024-05-06 07:08:09.000000"  # no offset, as before
    assert audit_chain.at_text(dt.date(2024, 5, 6)) == "2024-05-06 00:00:00.000000"
    assert audit_chain.at_text("2024-05-06T07:08:09") == "2024-05-06 07:08:09.000000"


def test_a_text_holding_the_field_separator_is_stored_without_it_and_verifies(db):
    at = dt.datetime(2025, 3, 4, 5, 6, 7)
    with db.session() as s:
        n = audit_chain.append_stored(s.connection(), [
            (at, "li\x1fna", "update", "target", 7, "第\x1f3镇", '{"a":1}', '{"a":2}', "成功"),
            (audit_chain.at_text(at), "lina", "create", "target", None, "", None, None, "成功")])
    assert n == 2
    with db.reader() as s:
        stored = s.connection().exec_driver_sql(
            'SELECT at, "user", object_label FROM audit_log ORDER BY id DESC LIMIT 2').all()
    assert [tuple(r) for r in stored] == [("2025-03-04 05:06:07.000000", "lina", ""),
                                          ("2025-03-04 05:06:07.000000", "li na", "第 3镇")]
    assert audit.check_chain(db).intact


@pytest.mark.parametrize("batch", [1, 7])
def test_records_past_one_batch_keep_one_chain_and_one_tip(db, monkeypatch, batch):
    monkeypatch.setattr(audit_chain, "STORED_BATCH", batch)
    before = audit.count(db)
    at = audit_chain.at_text(dt.datetime(2025, 1, 1))
    with db.session() as s:
        assert audit_chain.append_stored(s.connection(), [
            (at, "lina", "create", "town", i, f"第{i}镇", None, f'{{"id":{i}}}', "成功") for i in range(20)]) == 20
    check = audit.check_chain(db)
    assert (check.intact, check.total) == (True, before + 20), check.message


def test_nothing_to_append_leaves_log_and_tip_as_they_were(db):
    log_before = _log(db)
    with db.session() as s:
        assert audit_chain.append_stored(s.connection(), iter(())) == 0
    assert _log(db) == log_before


@pytest.mark.parametrize("n", [1, audit_chain._SQLITE_ROWS, 2 * audit_chain._SQLITE_ROWS + 7])
def test_records_sent_as_multi_row_inserts_keep_their_order_and_their_chain(db, n):
    """SQLite gets the records as INSERT … VALUES statements of _SQLITE_ROWS records and a remainder: each record
    lands in its own row, in the order given, its prev_hash the hash of the record before, and the chain verifies."""
    before = audit.count(db)
    at = audit_chain.at_text(dt.datetime(2025, 1, 1))
    records = [(at, "lina", "create", "town", i, f"第{i}镇", None, f'{{"id":{i}}}', "成功") for i in range(n)]
    with db.session() as s:
        assert audit_chain.append_stored(s.connection(), records) == n
    rows, tip = _log(db)
    assert [tuple(r[1:10]) for r in rows[before:]] == records
    assert all(rows[i][10] == rows[i - 1][11] for i in range(max(before, 1), len(rows)))
    assert tip[:3] == (rows[-1][0], rows[-1][11], before + n)
    check = audit.check_chain(db)
    assert (check.intact, check.total) == (True, before + n), check.message
