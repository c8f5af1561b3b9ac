"""The hidden identity sheet of a returned 镇街数据包, as read: its fields and tags, the packed snapshot of every
row's revisions and exported values (once its seal holds), the packed row seals."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import binascii

from desktop.services import numbers
from desktop.services.errors import Refused, ValidationError
from desktop.services.excel import packet_columns as pc
from desktop.services.excel import packet_seal
from desktop.services.excel.packet_rows import unpack


@dataclass
class MetaSheet:
    """The hidden sheet as read: identity fields, their tags, and the packed sections (snapshot, row seals)."""

    fields: dict = field(default_factory=dict)
    tags: dict = field(default_factory=dict)
    sections: dict = field(default_factory=dict)  # section name → its chunks joined

    def snapshot_records(self, file_name: str) -> list:
        try:
            return unpack(self.sections.get("snapshot", ""))
        except (TypeError, ValueError, zlib.error, binascii.Error):
            raise Refused(f"文件“{file_name}”的数据包信息已损坏，无法核对，请重新导出数据包。") from None


def read_meta(sheet) -> MetaSheet:
    """The identity sheet's rows as fields, tags and joined sections."""
    out = MetaSheet()
    chunks: list[str] | None = None
    for _row, values in sheet.rows:
        key = values[0] if values else None
        if key in ("snapshot", packet_seal.ROW_SEALS):
            chunks = []
            out.sections[key] = chunks
        elif chunks is not None:
            chunks.append(key if isinstance(key, str) else "")
        elif isinstance(key, str) and len(values) > 1:
            out.fields[key] = values[1]
            if len(values) > 2:
                out.tags[key] = values[2]
    out.sections = {k: "".join(v) for k, v in out.sections.items()}
    return out


def snapshots_of(records: list, file_name: str) -> dict[int, tuple[int, int, list[str]]]:
    """Entry id → (entry revision, target revision, exported values) of the snapshot's records."""
    try:
        return {int(eid): (int(erev), int(trev), list(snap)) for eid, erev, trev, snap in records}
    except (TypeError, ValueError):
        raise Refused(f"文件“{file_name}”的数据包信息已损坏，无法核对，请重新导出数据包。") from None


def whole_number(value) -> int | None:
    """A whole number from the meta sheet or an id cell; None when it is none (or could be no id)."""
    try:
        return numbers.parse_int(value, label="编号", minimum=None, maximum=None)
    except ValidationError:
        return None


def sealed_records(office, file_name: str, sheet: MetaSheet, entry_sheet) -> list:
    """The snapshot's records once its seal holds; a failed seal names the rows whose records were changed
    (`entry_sheet()` gives the entry sheet, asked for only then)."""
    packed = sheet.sections.get("snapshot", "")
    if packet_seal.snapshot_intact(office, sheet.fields, packed):
        return sheet.snapshot_records(file_name)
    try:
        records = unpack(packed)
    except (TypeError, ValueError, zlib.error, binascii.Error):
        records = []
    rows = _entry_rows(entry_sheet())
    raise packet_seal.refuse_snapshot(office, file_name, sheet.fields, records if isinstance(records, list) else [],
                                      sheet.sections.get(packet_seal.ROW_SEALS, ""),
                                      lambda eid: rows.get(whole_number(eid)))


def _entry_rows(sheet) -> dict[int, int]:
    """Entry id → Excel row of the entry sheet (only to name rows in a refusal)."""
    header = next((v for r, v in sheet.rows if r == pc.HEADER_ROW), ())
    title = pc.ENTRY_COLUMNS[0].header
    at = next((i for i, h in enumerate(header) if isinstance(h, str) and h.strip().rstrip("*") == title), None)
    if at is None:
        return {}
    return {whole_number(v[at]): r for r, v in sheet.rows
            if r > pc.HEADER_ROW and at < len(v) and whole_number(v[at]) is not None}
