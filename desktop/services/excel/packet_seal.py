"""镇街数据包 seals: keyed hashes (HMAC-SHA256) that make a packet impossible to forge without this office's key.

The key (`packet.secret`) lives in this ledger's `ledger_meta`, made from the OS's random source on the first
export (by whoever exports first: any role may make a secret); the office id written into each packet is
derived from it (a keyed hash, which tells nothing of the key), so a copy of the database (a backup restored)
is the same office and another database is another office. What is sealed:

- every row of the hidden identity sheet (packet id, kind, schema, office id, town, town id, year, month,
  export time and user, column list, row count): a tag per row, bound to the office and the packet id, so
  an edit names the field that was changed;
- the packed snapshot of the rows as exported (entry id, entry and target revisions and every exported
  value: the office's copy, which the town never edits): one seal over the whole of it, checked on every
  import, plus a short tag per row that only serves to name the row when the seal fails.

The cells a town fills in (address, 进展情况, 本月报送完成 … the unlocked columns of `packet_columns`) are
not sealed: the importer compares them with the sealed snapshot. The locked columns of the entry sheet are
compared with the sealed snapshot too: an edited 条目编号 or 对象编号 (or a row added with an id that was not
exported) refuses the whole packet; any other edited locked cell is a cell error of that row (receipt).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass

from desktop.services import audit
from desktop.services import meta as ledger_meta
from desktop.services.errors import Refused
from desktop.services.excel import packet_columns as pc
from desktop.services.excel.packet_rows import record_json
from desktop.services.ledger import Ledger

SECRET_KEY = "packet.secret"
SEAL = "seal"  # meta row: HMAC of the packed snapshot
ROW_SEALS = "row_seals"  # meta section: the rows' tags, packed
TAG_BYTES = 16  # a row's tag: HMAC-SHA256 cut to 128 bits

FIELD_LABELS = {
    "packet_id": "数据包编号", "kind": "数据包类型", "schema_version": "数据包版本", "office_id": "台账编号",
    "town": "镇街", "town_id": "镇街编号", "year": "年度", "month": "月份", "exported_at": "导出时间",
    "exported_by": "导出人", "columns": "列清单", "rows": "行数",
}
SEALED_FIELDS = tuple(FIELD_LABELS)


class PacketTampered(Refused):
    """The packet's identity or exported rows do not match their keyed hashes: refused whole."""


@dataclass(frozen=True)
class OfficeKey:
    office_id: str
    key: bytes


def _office(key_hex: str) -> OfficeKey:
    key = bytes.fromhex(key_hex)
    return OfficeKey(_mac(key, "office.id")[:16].hex(), key)


def office_key(ledger: Ledger) -> OfficeKey:
    """This office's id and packet key; the key is made from the OS's random source on first use (a write)."""
    with ledger.reader() as s:
        known = known_office_key(s)
    if known is not None:
        return known
    with ledger.session() as s:
        made = ledger_meta.get(s, SECRET_KEY) is None  # another PC may have made it meanwhile
        # The key must never reach the audit log (the auditor reads and exports it): its making is
        # recorded without the value.
        s.info["skip_audit"] = True
        try:
            office = _office(ledger_meta.secret(s, SECRET_KEY))
            if made:
                audit.record(s, "create", "ledger_meta", label="数据包密钥",
                             after={"key": SECRET_KEY, "value": "（密钥不记录）", "office_id": office.office_id})
        finally:
            s.info.pop("skip_audit", None)
    return office


def known_office_key(s) -> OfficeKey | None:
    """The office's key when it has one (none before the first export: then no packet is ours)."""
    key = ledger_meta.get(s, SECRET_KEY)
    return _office(key) if key else None


def _mac(key: bytes, *parts: str) -> bytes:
    return hmac.digest(key, "\x00".join(parts).encode("utf-8"), "sha256")


def field_tag(ok: OfficeKey, packet_id: str, field: str, value) -> str:
    """The tag of one identity row, over its canonical text (the same whether Excel gives 11 or 11.0).

    The office id's tag stands alone (it fails only under another office's key); every other tag is bound
    to the packet id, so a row copied from another packet fails too."""
    bound = "" if field == "office_id" else packet_id
    return _mac(ok.key, "field", field, ok.office_id, bound, pc.canon(value))[:TAG_BYTES].hex()


def snapshot_seal(ok: OfficeKey, packet_id: str, packed: str) -> str:
    return hmac.new(ok.key, b"\x00".join((b"snapshot", ok.office_id.encode(), packet_id.encode(), packed.encode())),
                    hashlib.sha256).hexdigest()


def row_message(packet_id: str, encoded: str) -> bytes:
    return f"row\x00{packet_id}\x00{encoded}".encode("utf-8")


def row_tags(ok: OfficeKey, packet_id: str, records_json: list[str]) -> str:
    """Each snapshot record's tag (over its JSON text as packed), concatenated and base64-encoded."""
    key, digest = ok.key, hmac.digest
    return base64.b64encode(b"".join(digest(key, row_message(packet_id, r), "sha256")[:TAG_BYTES]
                                     for r in records_json)).decode("ascii")


# Checking a returned packet ------------------------------------------------------------------------

def check_identity(s, file_name: str, meta: dict, tags: dict) -> OfficeKey:
    """Refuse a packet of an older program, of another office, or with an edited identity; else the key."""
    if SEAL not in meta or "office_id" not in meta:
        raise Refused(f"文件“{file_name}”是旧版本程序导出的数据包（没有防篡改签名），不能导入。"
                      "请用本程序重新导出数据包，交镇街填写后再导入。")
    ok = known_office_key(s)
    if ok is None or str(meta.get("office_id") or "") != ok.office_id:
        raise Refused(f"此数据包不是本台账导出的：文件“{file_name}”来自另一个台账（另一台电脑或另一个数据库文件），"
                      "不是本数据库导出的，不能导入。请用本台账导出的数据包。")
    packet_id = str(meta.get("packet_id") or "")
    changed = [f for f in SEALED_FIELDS
               if not hmac.compare_digest(str(tags.get(f) or ""), field_tag(ok, packet_id, f, meta.get(f)))]
    for cause in ("office_id", "packet_id"):  # the tags bound to it fail with it: name only the cause
        if cause in changed:
            changed = [cause]
            break
    if changed:
        names = "、".join(f"{FIELD_LABELS[f]}（现为“{pc.canon(meta.get(f)) or '空'}”）" for f in changed)
        raise PacketTampered(f"数据包已被改动：文件“{file_name}”隐藏的数据包信息表中{names}与导出时不符，不能导入。"
                             "请用本台账重新导出数据包。")
    return ok


def snapshot_intact(ok: OfficeKey, meta: dict, packed: str) -> bool:
    """The seal over the packed rows holds (one HMAC over a few megabytes: the whole check of a good packet)."""
    expected = snapshot_seal(ok, str(meta.get("packet_id") or ""), packed)
    return hmac.compare_digest(str(meta.get(SEAL) or ""), expected)


def refuse_snapshot(ok: OfficeKey, file_name: str, meta: dict, records: list, tags_text: str,
                    where_is) -> PacketTampered:
    """The refusal of a packet whose seal failed, naming the rows whose tags fail too.

    `where_is(entry_id)` gives the entry sheet's Excel row of an entry (None when it is not there)."""
    packet_id = str(meta.get("packet_id") or "")
    try:
        tags = base64.b64decode(tags_text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError):
        tags = b""
    bad = []
    for i, record in enumerate(records):
        tag = tags[i * TAG_BYTES:(i + 1) * TAG_BYTES]
        mac = hmac.digest(ok.key, row_message(packet_id, record_json(record)), "sha256")[:TAG_BYTES]
        if not hmac.compare_digest(tag, mac):
            bad.append(record[0] if isinstance(record, list) and record else "?")
    if not bad:
        return PacketTampered(f"数据包已被改动：文件“{file_name}”隐藏的数据包信息中导出的条目记录与签名不符，不能导入。"
                              "请用本台账重新导出数据包。")
    return PacketTampered(f"数据包已被改动：文件“{file_name}”中{_rows_named(bad, where_is)}的导出记录（条目编号、"
                          "版本号或导出时的值）与签名不符，不能导入。请用本台账重新导出数据包。")


def _rows_named(entry_ids: list, where_is) -> str:
    parts = []
    for eid in entry_ids[:5]:
        row = where_is(eid)
        parts.append(f"“{pc.ENTRY_SHEET}”表第{row}行（条目编号 {eid}）" if row else f"条目编号 {eid}")
    more = f"等{len(entry_ids)}条" if len(entry_ids) > 5 else ""
    return "、".join(parts) + more


def refuse_rows(file_name: str, findings: list[str]) -> PacketTampered:
    """Rows of the entry sheet whose ids are not the exported ones (added, duplicated or edited)."""
    shown = "；".join(findings[:5]) + (f"；等{len(findings)}处" if len(findings) > 5 else "")
    return PacketTampered(f"数据包已被改动：文件“{file_name}”中{shown}。请不要在“{pc.ENTRY_SHEET}”表增加行或修改编号"
                          f"（新的对象请填在“{pc.NEW_SHEET}”表），或用本台账重新导出数据包。")
