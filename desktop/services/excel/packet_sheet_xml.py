"""镇街数据包 out, the entry sheet's data rows as worksheet XML, written straight into xlsxwriter's row file.

xlsxwriter spends about 4 µs a cell in its general cell path (a Cell object, the dimension check, the
attribute escaping of every reference); a packet's 20 000 × 30 cells cost most of the export there. These
helpers make the very XML xlsxwriter's constant-memory mode writes for a cell (inline strings with the same
control-character, whitespace and entity escaping, numbers as `{:.16G}`, dates as serial numbers), and
`write_rows` puts whole rows into the worksheet's row file and extends its dimension, which xlsxwriter then
packs as its own rows. tests/test_excel_fast_paths.py compares the sheet XML with xlsxwriter's, cell by cell.
"""

from __future__ import annotations

import re

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.xmlwriter import XMLwriter

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")  # what xlsxwriter escapes as _xHHHH_
_escape_control = XMLwriter._escape_control_characters


def column_letters(n: int) -> list[str]:
    return [xl_col_to_name(c) for c in range(n)]


def style_attr(fmt) -> str:
    """` s="N"` for a cell of that xlsxwriter format (its index taken now, as writing a cell would), or ""."""
    return f' s="{fmt._get_xf_index()}"' if fmt is not None else ""


def text_cell(ref: str, style: str, value: str) -> str:
    """An inline string cell, escaped as xlsxwriter escapes it in constant-memory mode."""
    if _CONTROL.search(value):
        value = _escape_control(value)
    space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
    if "&" in value or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{value}</t></is></c>'


def number_cell(ref: str, style: str, value) -> str:
    return f'<c r="{ref}"{style}><v>{value:.16G}</v></c>'


def start_rows(ws, first: int) -> None:
    """Flush the rows written so far (the sheet's frame) so that rows from `first` (0-based) can follow."""
    ws._write_single_row(first)


def put_rows(ws, xml: str) -> None:
    ws.fh.write(xml)


def end_rows(ws, last: int, last_col: int) -> None:
    """The sheet's dimension covers the rows put (0-based last row and column); later writes go below them."""
    ws._check_dimensions(last, last_col)
    ws.previous_row = last + 1
