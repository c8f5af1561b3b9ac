"""镇街数据包 back in, the fast comparison: each exported row's cells as the reader gives them back from an
untouched packet, so that the unchanged rows (most of a returned packet) are found by comparing tuples instead
of cell by cell (packet_read._compare_entries)."""

from __future__ import annotations

import datetime as dt


_NEVER = object()  # equal to no cell: the row goes through the cell-by-cell comparison


def _blank_or(parse):
    """A converter of exported text: blank text is a blank cell, a non-text snapshot value matches nothing."""

    def convert(text):
        if type(text) is not str:
            return _NEVER
        if not text:
            return None
        try:
            return parse(text)
        except ValueError:
            return _NEVER

    return convert


@_blank_or
def _read_number(text: str):
    """The float the reader gives for a number exported as `text`, when the float's text is that text again."""
    f = float(text)
    shown = repr(f)
    return f if shown == text or shown == text + ".0" else _NEVER


_read_date = _blank_or(dt.date.fromisoformat)


def _read_text(text: str):
    return (text or None) if type(text) is str else _NEVER


def _read_bool(text: str):
    return "是" if text == "是" else None if text == "" or text == "否" else _NEVER


_AS_READ = {"text": _read_text, "note": _read_text, "area": _read_number, "decimal": _read_number,
            "int": _read_number, "date": _read_date, "bool": _read_bool}


def as_read(plan, snapshots) -> dict[int, tuple]:
    """Entry id → its cells as the reader gives them back from an untouched packet (floats for numbers, dates,
    None for blanks), column by column. A row whose cells equal these (and hold no bool, which equals 1 and 0)
    is one the cell-by-cell comparison would pass as unchanged; any other row is compared cell by cell."""
    ids = list(snapshots)
    exported = [snapshots[i][2] for i in ids]
    columns = []
    for col, _at, si in plan:
        convert = _AS_READ.get(col.kind)
        if convert is None:
            columns.append([_NEVER] * len(ids))
            continue
        texts = [e[si] if si < len(e) else "" for e in exported]
        if convert is _read_text:  # most columns: inlined
            columns.append([(w or None) if type(w) is str else _NEVER for w in texts])
        else:
            columns.append(list(map(convert, texts)))
    return dict(zip(ids, zip(*columns))) if columns else {}
